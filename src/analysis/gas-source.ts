// Pipe leak or sewer biogas? Combustible gas in an underground space is methane either way; the
// evidence that separates them is what comes with it and what the gas network does meanwhile:
// - H2S: sewer gas carries hydrogen sulphide (tens of ppm is common in sewers). Pipeline natural
//   gas may hold at most 20 mg/m³ H2S (GB 17820-2018 class 2, ≈ 13 ppm), so diluted to 2 % methane
//   (40 %LEL) it brings ≈ 0.3 ppm at most: H2S above 5 ppm with the methane is biogas's signature,
//   and H2S near zero while methane is high argues against biogas.
// - Pressure on the nearby gas main falling while the methane rises argues for a pipe leak.
// - Pattern over time: biogas comes and goes with sewer flow and temperature (repeated episodes);
//   a pipe leak makes one sustained rise.
// - Context: a sewer manhole breeds biogas; a space far from any gas pipe cannot hold pipe gas.
// Each reason adds a weight to a log-odds score (positive: pipe leak); the verdict and its
// confidence follow from the sum, and every reason is listed with its weight and numbers.
import { alignTo, correlation, evidence, mean, message, round, std, type AnalysisResult, type Evidence, type Point } from './explain.ts';

export interface PressureSeries {
  sensorId: string;
  /** Distance from the space to the monitored point along the gas network, or straight (m). */
  distanceM: number;
  points: Point[];
}

export interface GasSourceInput {
  spaceId: string;
  /** Asset type and network of the space: a drainage manhole or an adjacent space. */
  spaceType: string;
  network: string;
  /** %LEL at the space, oldest first, covering some time before the episode. */
  methane: Point[];
  methaneSensorId: string;
  h2s?: { sensorId: string; points: Point[] } | null;
  pressure?: PressureSeries[];
  /** Distance from the space to the nearest gas pipe (m); null: none near. */
  gasPipeDistanceM: number | null;
}

export interface Reason {
  key: string;
  text: string;
  /** The numbers in `text`, for the console's `analysis.reason.<key>`. */
  params: Record<string, number | string>;
  /** + for a pipe leak, − for biogas. */
  weight: number;
}

export interface GasSourceDetail {
  score: number;
  reasons: Reason[];
  episodes: number;
  episodeStart: string | null;
  peakLel: number;
  h2sPeakPpm: number | null;
  pressureDrop: { sensorId: string; dropMPa: number; baselineMPa: number; sigmaMPa: number; significant: boolean; correlation: number } | null;
}

/** Methane at or above this (%LEL) is an episode. */
const EPISODE_LEL = 5;
const H2S_BIOGAS_PPM = 5;
const H2S_ABSENT_PPM = 1;
const NEAR_PIPE_M = 50;
const FAR_PIPE_M = 150;
const DECIDE = 1;

/** Runs of methane ≥ EPISODE_LEL (a dip below for one reading ends a run). */
function episodes(points: readonly Point[]): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  let open: { start: number; end: number } | null = null;
  for (const p of points) {
    if (p.value >= EPISODE_LEL) {
      if (!open) runs.push((open = { start: p.ts, end: p.ts }));
      else open.end = p.ts;
    } else open = null;
  }
  return runs;
}

export function classifyGasSource(input: GasSourceInput): AnalysisResult<GasSourceDetail> {
  const reasons: Reason[] = [];
  const ev: Evidence[] = [];
  const runs = episodes(input.methane);
  const last = runs[runs.length - 1] ?? null;
  const peak = Math.max(0, ...input.methane.map((p) => p.value));
  ev.push(evidence('peakLel', `peak combustible gas in ${input.spaceId}`, peak, '%LEL', input.methaneSensorId));
  ev.push(evidence('episodes', `episodes ≥ ${EPISODE_LEL} %LEL in the window`, runs.length, 'episodes', input.methaneSensorId));
  const inEpisode = (ts: number) => last !== null && ts >= last.start && ts <= last.end;
  // The pressure baseline is the quiet spell before the latest episode (after the one before it),
  // so that earlier episodes' dips do not widen it.
  const previousEnd = runs.length >= 2 ? runs[runs.length - 2]!.end : -Infinity;
  const beforeEpisode = (ts: number) => last !== null && ts < last.start && ts > previousEnd;

  // H2S with the methane.
  let h2sPeak: number | null = null;
  if (input.h2s && input.h2s.points.length > 0) {
    const during = input.h2s.points.filter((p) => (last ? inEpisode(p.ts) : true)).map((p) => p.value);
    h2sPeak = during.length > 0 ? Math.max(...during) : Math.max(...input.h2s.points.map((p) => p.value));
    ev.push(evidence('h2sPeak', `H2S at ${input.spaceId} during the episode`, h2sPeak, 'ppm', input.h2s.sensorId));
    if (h2sPeak >= H2S_BIOGAS_PPM) reasons.push({ key: 'h2sPresent', weight: -2.5, params: { h2s: round(h2sPeak, 1), limit: H2S_BIOGAS_PPM }, text: `H2S ${round(h2sPeak, 1)} ppm with the methane (≥ ${H2S_BIOGAS_PPM} ppm): sewer gas; pipeline gas carries ≤ 0.3 ppm at this dilution` });
    else if (h2sPeak <= H2S_ABSENT_PPM && peak >= 10) reasons.push({ key: 'h2sAbsent', weight: 1, params: { h2s: round(h2sPeak, 2), limit: H2S_ABSENT_PPM, peak: round(peak, 1) }, text: `no H2S (${round(h2sPeak, 2)} ppm ≤ ${H2S_ABSENT_PPM}) while methane reached ${round(peak, 1)} %LEL: not sewer gas` });
  } else {
    reasons.push({ key: 'h2sNotMeasured', weight: 0, params: {}, text: 'no H2S detector at the space: biogas cannot be told by H2S' });
  }

  // Pressure on the nearby gas network.
  let drop: GasSourceDetail['pressureDrop'] = null;
  for (const series of [...(input.pressure ?? [])].sort((a, b) => a.distanceM - b.distanceM)) {
    if (!last) break;
    const base = series.points.filter((p) => beforeEpisode(p.ts)).map((p) => p.value);
    const during = series.points.filter((p) => inEpisode(p.ts));
    if (base.length < 3 || during.length < 2) continue;
    const baseline = mean(base);
    const sigma = Math.max(std(base), 1e-4);
    const lowest = Math.min(...during.map((p) => p.value));
    const dropMPa = baseline - lowest;
    const methaneAt = alignTo(input.methane, during.map((p) => p.ts));
    const r = correlation(methaneAt, during.map((p) => p.value));
    const significant = dropMPa > Math.max(4 * sigma, 0.01 * baseline);
    drop = { sensorId: series.sensorId, dropMPa: round(dropMPa, 4), baselineMPa: round(baseline, 4), sigmaMPa: round(sigma, 5), significant, correlation: round(r, 2) };
    ev.push(evidence('pressureDrop', `pressure drop at ${series.sensorId}, ${round(series.distanceM, 0)} m away (baseline ${round(baseline, 3)} MPa, σ ${round(sigma, 4)})`, dropMPa, 'MPa', series.sensorId));
    ev.push(evidence('pressureCorrelation', `correlation of methane with that pressure during the episode`, r, '', `${input.methaneSensorId} × ${series.sensorId}`));
    if (significant) reasons.push({ key: 'pressureDrop', weight: r < -0.5 ? 2.5 : 2, params: { sensor: series.sensorId, drop: round(dropMPa, 3), r: round(r, 2) }, text: `pressure at ${series.sensorId} fell ${round(dropMPa, 3)} MPa (> 4σ) while the gas rose${r < -0.5 ? `, in step with it (r = ${round(r, 2)})` : ''}` });
    else reasons.push({ key: 'pressureSteady', weight: -0.5, params: { sensor: series.sensorId, drop: round(dropMPa, 4) }, text: `pressure at ${series.sensorId} stayed within 4σ (${round(dropMPa, 4)} MPa drop)` });
    break;
  }
  if (!drop) reasons.push({ key: 'pressureNotMeasured', weight: 0, params: {}, text: 'no gas pressure series near the space over the episode' });

  // Pattern over time.
  if (runs.length >= 3 && drop?.significant) {
    reasons.push({ key: 'recurringWithPressure', weight: 0, params: { episodes: runs.length }, text: `${runs.length} separate episodes, the pressure dipping with the latest: an intermittent leak rather than sewer gas` });
  } else if (runs.length >= 3) reasons.push({ key: 'recurring', weight: -1, params: { episodes: runs.length }, text: `${runs.length} separate episodes in the window: comes and goes as sewer gas does` });
  else if (runs.length === 1 && last) {
    const rising = input.methane.filter((p) => inEpisode(p.ts)).length;
    reasons.push({ key: 'singleEpisode', weight: 0.5, params: { readings: rising, lel: EPISODE_LEL }, text: `one sustained episode (${rising} readings ≥ ${EPISODE_LEL} %LEL)` });
  }

  // Context.
  if (input.network === 'drainage') reasons.push({ key: 'sewerSpace', weight: -0.5, params: { space: input.spaceId }, text: `${input.spaceId} is a drainage ${input.spaceType}: sewers breed biogas` });
  if (input.gasPipeDistanceM === null || input.gasPipeDistanceM > FAR_PIPE_M) {
    reasons.push({ key: 'farFromGasPipe', weight: -1.5, params: { distance: FAR_PIPE_M }, text: `no gas pipe within ${FAR_PIPE_M} m` });
  } else if (input.gasPipeDistanceM <= NEAR_PIPE_M) {
    reasons.push({ key: 'nearGasPipe', weight: 0.5, params: { distance: round(input.gasPipeDistanceM, 0) }, text: `gas pipe ${round(input.gasPipeDistanceM, 0)} m away` });
  }
  if (input.gasPipeDistanceM !== null) ev.push(evidence('gasPipeDistance', 'distance to the nearest gas pipe', input.gasPipeDistanceM, 'm', 'network twin'));

  const score = reasons.reduce((a, r) => a + r.weight, 0);
  const verdict = score >= DECIDE ? 'pipe_leak' : score <= -DECIDE ? 'biogas' : 'undetermined';
  const confidence = round(1 / (1 + Math.exp(-Math.abs(score))), 2);
  for (const r of reasons) ev.push(evidence(`reason.${r.key}`, r.text, r.weight, 'log-odds', 'gas-source rules'));
  const why = reasons.filter((r) => r.weight !== 0).sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).map((r) => r.text);
  const name = verdict === 'pipe_leak' ? 'a gas-pipe leak' : verdict === 'biogas' ? 'sewer biogas' : 'undetermined (pipe leak or biogas)';
  return {
    kind: 'gas_source', verdict,
    conclusion: `Gas in ${input.spaceId} is likely ${name} (score ${round(score, 1)}, confidence ${confidence})${why.length > 0 ? `: ${why.join('; ')}` : ''}.`,
    // The reasons follow in `detail.reasons`, each with its own key and numbers.
    message: message(`gasSource.${verdict}`, { space: input.spaceId, score: round(score, 1), confidence }),
    confidence, evidence: ev,
    model: {
      name: 'gas-source/evidence-score', version: 1,
      method: 'Sum of log-odds weights of H2S, nearby pressure drop, episode pattern and location; ≥ +1 pipe leak, ≤ −1 biogas; confidence = logistic(|score|).',
      parameters: { episodeLel: EPISODE_LEL, h2sBiogasPpm: H2S_BIOGAS_PPM, h2sAbsentPpm: H2S_ABSENT_PPM, nearPipeM: NEAR_PIPE_M, farPipeM: FAR_PIPE_M, decide: DECIDE },
    },
    assetIds: [input.spaceId], segmentIds: [], zoneIds: [],
    detail: {
      score: round(score, 2), reasons, episodes: runs.length, episodeStart: last ? new Date(last.start).toISOString() : null,
      peakLel: round(peak, 2), h2sPeakPpm: h2sPeak === null ? null : round(h2sPeak, 3), pressureDrop: drop,
    },
  };
}
