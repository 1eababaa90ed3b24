// analysis: physics and graph models. Water: EPANET hydraulics (epanet-js) and leak location.
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
