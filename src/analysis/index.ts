// analysis: physics and graph models. Water: EPANET hydraulics (epanet-js), leak location, minimum night flow. Gas in adjacent spaces and its source; drainage diagnosis; bridges; the explainable result they share.
export {
  loadNetwork, HydraulicNetwork, InpError, UnknownNodeError, DEFAULT_DIURNAL_PATTERN,
  type LeakSpec, type SimulateOptions, type PressureSeries, type LinkInfo, type LoadOptions,
} from './hydraulics.ts';
export {
  locateLeak, detectOnset, DEFAULT_WARMUP, fitCalibration, observationMatrix, ObservationError,
  type Observation, type OnsetOptions, type OnsetResult, type LocateOptions, type LocateResult, type Candidate,
} from './leak-location.ts';
export { pipeDistances, chooseSensors } from './graph.ts';
export { registerAnalysisCommands, leakLocate, parseObservedCsv, type LeakLocateArgs } from './cli.ts';
export { evidence, type AnalysisKind, type AnalysisResult, type Evidence, type ModelInfo, type Point } from './explain.ts';
export { analyseGasSpread, GAS_SPREAD_DEFAULTS, type GasSpreadDetail, type GasSpreadInput, type Place, type RankedSpace } from './gas-spread.ts';
export { classifyGasSource, type GasSourceDetail, type GasSourceInput, type Reason } from './gas-source.ts';
export { detectBlockage, detectRiverIntrusion, dryWeather, estimateInfiltration, fullBoreCapacity, locateMisconnections, overflowRisk, type MonitoredPoint } from './drainage-diagnosis.ts';
export { analyseBridge, dominantFrequency, fft, type BridgeInput } from './bridge.ts';
export { analyseNightFlow, nightMinima, type NightFlowInput } from './night-flow.ts';
export { analyseAsset, type AnalysisSources, type AssetAnalysis, type SensorInfo } from './service.ts';
