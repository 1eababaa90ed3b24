// EPANET 2.2 hydraulics through epanet-js (WASM): load an .inp, run extended-period simulations
// with the network's demand patterns, read node pressures over time, and simulate leaks as
// emitters switched on at a junction at a given time.
import { Project, Workspace } from 'epanet-js';

// The toolkit's enum codes (EPANET 2.2 epanet2_enums.h). epanet-js exports them too, but its
// type declarations re-export them through extension-less paths that NodeNext cannot resolve.
const CountType = { NodeCount: 0, LinkCount: 2, PatCount: 3 } as const;
const FlowUnits = ['CFS', 'GPM', 'MGD', 'IMGD', 'AFD', 'LPS', 'LPM', 'MLD', 'CMH', 'CMD'] as const;
const US_FLOW_UNITS_MAX = 4; // CFS … AFD are US customary units (psi, ft)
const InitHydOption = { NoSave: 0 } as const;
const LinkProperty = { Length: 1 } as const;
const LinkType = { CVPipe: 0, Pipe: 1, Pump: 2 } as const;
const NodeProperty = { Emitter: 3, Pressure: 11 } as const;
const NodeType = { Junction: 0 } as const;
const Option = { Emitexpon: 3 } as const;
const TimeParameter = { Duration: 0, HydStep: 1, PatternStep: 3, ReportStep: 5 } as const;

const FT_TO_M = 0.3048;
const PSI_TO_M = 0.703070; // metres of water per psi

let workspace: Promise<Workspace> | undefined;
let fileCounter = 0;

function getWorkspace(): Promise<Workspace> {
  workspace ??= (async () => {
    const ws = new Workspace();
    await ws.loadModule();
    return ws;
  })();
  return workspace;
}

/** A leak simulated as an EPANET emitter: flow = coefficient · pressure^exponent (model units). */
export interface LeakSpec {
  /** junction id as in the .inp */
  node: string;
  /** emitter coefficient in the model's flow units per (pressure unit)^0.5 */
  coefficient: number;
  /** the emitter is switched on at the first hydraulic time ≥ startS (seconds from the start) */
  startS: number;
}

export interface SimulateOptions {
  leaks?: readonly LeakSpec[];
  /** nodes whose pressures are recorded (default: every junction) */
  nodes?: readonly string[];
  /** record times that are multiples of this (default: the model's report step) */
  reportStepS?: number;
  /** record every hydraulic solution time (tank events and control times included) instead */
  allSteps?: boolean;
  /** stop once this time (seconds) has been solved (default: the model's duration) */
  untilS?: number;
}

/** Pressures at recorded times: pressure[t][k] is node nodes[k] at timesS[t], in the model's pressure unit. */
export interface PressureSeries {
  timesS: number[];
  nodes: string[];
  pressure: number[][];
  /** total emitter outflow (all simulated leaks) at each recorded time, model flow units */
  leakFlow: number[];
  /** EPANET warnings met during the run (e.g. negative pressures), each once */
  warnings: string[];
}

export interface LinkInfo { id: string; from: string; to: string; lengthM: number; kind: 'pipe' | 'pump' | 'valve' }

import { InpError, UnknownNodeError } from './errors.ts';

export { InpError, UnknownNodeError };

export interface LoadOptions {
  /** a name for messages (e.g. the file name) */
  name?: string;
  /** override the simulation duration (seconds); a steady-state model (Duration 0) needs one for onset detection */
  durationS?: number;
  /**
   * When the model has no demand pattern at all, give every junction demand this 24-hour pattern of
   * hourly multipliers (see DEFAULT_DIURNAL_PATTERN). Ignored when the model has patterns.
   */
  diurnalPattern?: readonly number[];
}

/** A typical residential diurnal pattern (hourly multipliers, mean 1). */
export const DEFAULT_DIURNAL_PATTERN: readonly number[] = [
  0.55, 0.45, 0.4, 0.4, 0.45, 0.6, 0.9, 1.25, 1.4, 1.3, 1.2, 1.15,
  1.15, 1.1, 1.05, 1.0, 1.05, 1.2, 1.4, 1.45, 1.3, 1.1, 0.85, 0.7,
];

/** A loaded EPANET network: one epanet-js Project, kept open for repeated simulations. */
export class HydraulicNetwork {
  readonly name: string;
  readonly nodeIds: string[];
  readonly junctionIds: string[];
  readonly sourceIds: string[];
  readonly links: LinkInfo[];
  readonly pressureUnit: 'psi' | 'm';
  readonly flowUnit: string;
  readonly durationS: number;
  readonly hydStepS: number;
  readonly reportStepS: number;
  readonly #project: Project;
  readonly #index = new Map<string, number>();
  readonly #junctions = new Set<string>();
  /** per junction index: the base demand of each demand category as loaded */
  readonly #baseDemands = new Map<number, number[]>();
  #closed = false;

  constructor(project: Project, name: string) {
    this.#project = project;
    this.name = name;
    const p = project;
    const nodeCount = p.getCount(CountType.NodeCount);
    this.nodeIds = [];
    this.junctionIds = [];
    this.sourceIds = [];
    for (let i = 1; i <= nodeCount; i++) {
      const id = p.getNodeId(i);
      this.nodeIds.push(id);
      this.#index.set(id, i);
      if (p.getNodeType(i) === NodeType.Junction) {
        this.junctionIds.push(id);
        this.#junctions.add(id);
        const demands: number[] = [];
        const n = p.getNumberOfDemands(i);
        for (let d = 1; d <= n; d++) demands.push(p.getBaseDemand(i, d));
        this.#baseDemands.set(i, demands);
      } else {
        this.sourceIds.push(id);
      }
    }
    const units = p.getFlowUnits();
    this.flowUnit = FlowUnits[units] ?? String(units);
    const us = units <= US_FLOW_UNITS_MAX;
    this.pressureUnit = us ? 'psi' : 'm';
    const linkCount = p.getCount(CountType.LinkCount);
    this.links = [];
    for (let i = 1; i <= linkCount; i++) {
      const type = p.getLinkType(i);
      const { node1, node2 } = p.getLinkNodes(i);
      const kind = type === LinkType.Pipe || type === LinkType.CVPipe ? 'pipe' : type === LinkType.Pump ? 'pump' : 'valve';
      const length = kind === 'pipe' ? p.getLinkValue(i, LinkProperty.Length) * (us ? FT_TO_M : 1) : 0;
      this.links.push({ id: p.getLinkId(i), from: p.getNodeId(node1), to: p.getNodeId(node2), lengthM: length, kind });
    }
    this.durationS = p.getTimeParameter(TimeParameter.Duration);
    this.hydStepS = p.getTimeParameter(TimeParameter.HydStep);
    this.reportStepS = p.getTimeParameter(TimeParameter.ReportStep) || this.hydStepS;
  }

  /** metres of water per model pressure unit */
  get metresPerPressureUnit(): number {
    return this.pressureUnit === 'psi' ? PSI_TO_M : 1;
  }

  isJunction(id: string): boolean {
    return this.#junctions.has(id);
  }

  #nodeIndex(id: string): number {
    const index = this.#index.get(id);
    if (index === undefined) throw new UnknownNodeError(`${this.name}: no node "${id}" in the network`);
    return index;
  }

  #junctionIndex(id: string): number {
    if (!this.#junctions.has(id)) {
      if (this.#index.has(id)) throw new UnknownNodeError(`${this.name}: node "${id}" is a tank or reservoir, not a junction`);
      throw new UnknownNodeError(`${this.name}: no junction "${id}" in the network`);
    }
    return this.#index.get(id)!;
  }

  /** Total base demand (sum over junctions and demand categories), model flow units. */
  totalBaseDemand(): number {
    let sum = 0;
    for (const demands of this.#baseDemands.values()) for (const d of demands) sum += d;
    return sum;
  }

  /**
   * Scale each junction's demands by a factor (as loaded × factor); junctions not in the map keep
   * factor 1. Used to make a "true" system whose demands differ from the model's.
   */
  setDemandFactors(factors: ReadonlyMap<string, number>): void {
    this.#assertOpen();
    for (const id of factors.keys()) this.#junctionIndex(id);
    for (const [index, demands] of this.#baseDemands) {
      const f = factors.get(this.nodeIds[index - 1]!) ?? 1;
      demands.forEach((d, k) => this.#project.setBaseDemand(index, k + 1, d * f));
    }
  }

  /** Extended-period simulation; pressures at the requested nodes at each report time. */
  simulate(options: SimulateOptions = {}): PressureSeries {
    this.#assertOpen();
    const p = this.#project;
    const nodes = options.nodes ? [...options.nodes] : this.junctionIds;
    const indices = nodes.map((id) => this.#nodeIndex(id));
    const leaks = (options.leaks ?? []).map((leak) => {
      if (!(leak.coefficient >= 0) || !Number.isFinite(leak.coefficient)) throw new RangeError(`leak at ${leak.node}: coefficient must be a finite number ≥ 0`);
      return { ...leak, index: this.#junctionIndex(leak.node), on: false };
    });
    const step = options.reportStepS ?? this.reportStepS;
    if (!(step > 0)) throw new RangeError('reportStepS must be > 0');
    const saved = leaks.map((l) => p.getNodeValue(l.index, NodeProperty.Emitter));
    const expon = p.getOption(Option.Emitexpon);
    const series: PressureSeries = { timesS: [], nodes, pressure: [], leakFlow: [], warnings: [] };
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      const text = args.map(String).join(' ');
      if (!series.warnings.includes(text)) series.warnings.push(text);
    };
    p.openH();
    try {
      p.initH(InitHydOption.NoSave);
      let next = 0;
      for (;;) {
        for (const leak of leaks) {
          if (!leak.on && leak.startS <= next) {
            p.setNodeValue(leak.index, NodeProperty.Emitter, leak.coefficient);
            leak.on = true;
          }
        }
        const t = p.runH();
        if ((options.allSteps || t % step === 0) && t <= this.durationS) {
          series.timesS.push(t);
          series.pressure.push(indices.map((i) => p.getNodeValue(i, NodeProperty.Pressure)));
          let q = 0;
          for (const leak of leaks) {
            if (leak.on) q += leak.coefficient * Math.max(0, p.getNodeValue(leak.index, NodeProperty.Pressure)) ** expon;
          }
          series.leakFlow.push(q);
        }
        if (options.untilS !== undefined && t >= options.untilS) break;
        const dt = p.nextH();
        if (dt <= 0) break;
        next = t + dt;
      }
    } finally {
      console.warn = warn;
      p.closeH();
      leaks.forEach((l: { index: number }, k: number) => p.setNodeValue(l.index, NodeProperty.Emitter, saved[k]!));
    }
    return series;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#project.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`${this.name}: network is closed`);
  }

  /** @internal the underlying epanet-js project */
  get project(): Project {
    return this.#project;
  }
}

/**
 * Load an EPANET .inp text. Throws InpError with EPANET's own messages when the file does not
 * parse. A model without any time pattern gets `diurnalPattern` on every junction demand.
 */
export async function loadNetwork(inpText: string, options: LoadOptions = {}): Promise<HydraulicNetwork> {
  const name = options.name ?? 'network.inp';
  const ws = await getWorkspace();
  const file = `net${++fileCounter}`;
  ws.writeFile(`${file}.inp`, inpText);
  const project = new Project(ws);
  try {
    project.open(`${file}.inp`, `${file}.rpt`, '');
  } catch (error) {
    let detail = '';
    try {
      detail = ws.readFile(`${file}.rpt`, 'utf8').split('\n').map((l: string) => l.trim()).filter((l: string) => /error/i.test(l)).slice(0, 5).join('; ');
    } catch { /* no report */ }
    throw new InpError(`${name}: EPANET could not read the file: ${(error as Error).message}${detail ? ` (${detail})` : ''}`);
  }
  if (project.getCount(CountType.NodeCount) === 0) {
    project.close();
    throw new InpError(`${name}: the file has no nodes`);
  }
  if (options.durationS !== undefined) project.setTimeParameter(TimeParameter.Duration, options.durationS);
  if (project.getCount(CountType.PatCount) === 0 || !hasJunctionPattern(project)) {
    if (project.getTimeParameter(TimeParameter.Duration) > 0) {
      const pattern = options.diurnalPattern ?? DEFAULT_DIURNAL_PATTERN;
      project.addPattern('lifeline-diurnal');
      const pat = project.getPatternIndex('lifeline-diurnal');
      project.setPattern(pat, [...pattern]);
      project.setTimeParameter(TimeParameter.PatternStep, 3600);
      const nodeCount = project.getCount(CountType.NodeCount);
      for (let i = 1; i <= nodeCount; i++) {
        if (project.getNodeType(i) !== NodeType.Junction) continue;
        const n = project.getNumberOfDemands(i);
        for (let d = 1; d <= n; d++) project.setDemandPattern(i, d, pat);
      }
    }
  }
  return new HydraulicNetwork(project, name);
}

function hasJunctionPattern(p: Project): boolean {
  const nodeCount = p.getCount(CountType.NodeCount);
  for (let i = 1; i <= nodeCount; i++) {
    if (p.getNodeType(i) !== NodeType.Junction) continue;
    const n = p.getNumberOfDemands(i);
    for (let d = 1; d <= n; d++) if (p.getDemandPattern(i, d) > 0) return true;
  }
  return false;
}
