import type { Queryable } from '../store/index.ts';
import { insertRules, listAllRules, READING_RULE_KINDS, recordRuleVersion } from './repository.ts';
import type { Rule } from './types.ts';

export type Lifeline = 'gas' | 'water' | 'drainage' | 'bridge' | 'tunnel' | 'river' | 'device';

/** One monitored quantity: its unit, physical range, default reporting interval, and where they come from. */
export interface IndicatorSpec {
  indicator: string;
  lifeline: Lifeline;
  name: { zh: string; en: string };
  unit: string;
  /** Values outside are a sensor fault (the range rule routes them to maintenance). */
  range: [number, number];
  /** Expected reporting interval when the sensor sets none (offline detection uses it). */
  intervalS: number;
  source: string;
}

const GB50838 = 'GB 50838-2015 城市综合管廊工程技术规范, table 7.2.3 (environmental alarm values)';
const GB3838 = 'GB 3838-2002 地表水环境质量标准, table 1 (classes III, IV, V)';
const NBIOT = 'battery NB-IoT drainage devices report about every 15 min (BRIEF.md, field devices)';
const MAINS = 'mains-powered gas and pressure monitors report every few seconds to a minute (BRIEF.md)';

/**
 * The indicator catalogue (docs/rules.md has it as a table). Ranges are the measuring ranges of
 * the usual instruments, so a value outside is the instrument's fault, not the network's.
 */
export const INDICATORS: IndicatorSpec[] = [
  { indicator: 'methane_lel', lifeline: 'gas', name: { zh: '可燃气体浓度', en: 'combustible gas' }, unit: '%LEL', range: [0, 100], intervalS: 60, source: `range: catalytic/IR detectors read 0–100 %LEL (GB 15322.1-2019); interval: ${MAINS}` },
  { indicator: 'gas_pressure', lifeline: 'gas', name: { zh: '燃气管网压力', en: 'gas pressure' }, unit: 'MPa', range: [0, 4], intervalS: 60, source: `range: GB 50028-2006 table 6.1.6 pressure classes up to high-pressure A (4.0 MPa); interval: ${MAINS}` },
  { indicator: 'gas_flow', lifeline: 'gas', name: { zh: '燃气流量', en: 'gas flow' }, unit: 'm³/h', range: [0, 100_000], intervalS: 300, source: 'range and interval ours (station meters)' },
  { indicator: 'temperature', lifeline: 'device', name: { zh: '温度', en: 'temperature' }, unit: '°C', range: [-40, 85], intervalS: 60, source: 'the operating range of industrial electronics; reported with the gas detector' },
  { indicator: 'water_pressure', lifeline: 'water', name: { zh: '供水管网压力', en: 'water pressure' }, unit: 'MPa', range: [0, 1.6], intervalS: 300, source: 'range: PN16 pipes and gauges (GB 50013-2018 networks work below 1.0 MPa); interval ours' },
  { indicator: 'water_flow', lifeline: 'water', name: { zh: '供水流量', en: 'water flow' }, unit: 'm³/h', range: [0, 50_000], intervalS: 300, source: 'range and interval ours (mains meters)' },
  { indicator: 'water_night_flow', lifeline: 'water', name: { zh: '夜间最小流量', en: 'minimum night flow' }, unit: 'm³/h', range: [0, 10_000], intervalS: 86_400, source: 'one value a night per district meter area (CJJ 92-2016 leakage control practice)' },
  { indicator: 'drain_level', lifeline: 'drainage', name: { zh: '排水管网液位', en: 'drainage level' }, unit: 'm', range: [0, 10], intervalS: 900, source: `range: radar/pressure level gauges 0–10 m; interval: ${NBIOT}` },
  { indicator: 'drain_fill', lifeline: 'drainage', name: { zh: '管道充满度', en: 'pipe fill ratio' }, unit: '', range: [0, 3], intervalS: 900, source: `level over pipe height; above 1 the pipe is surcharged; interval: ${NBIOT}` },
  { indicator: 'drain_flow', lifeline: 'drainage', name: { zh: '排水流量', en: 'drainage flow' }, unit: 'm³/h', range: [0, 50_000], intervalS: 900, source: `interval: ${NBIOT}; range ours` },
  { indicator: 'h2s', lifeline: 'drainage', name: { zh: '硫化氢', en: 'hydrogen sulphide' }, unit: 'ppm', range: [0, 200], intervalS: 300, source: 'range: electrochemical H2S cells 0–100/200 ppm; interval ours' },
  { indicator: 'rainfall', lifeline: 'drainage', name: { zh: '小时降雨量', en: 'hourly rainfall' }, unit: 'mm/h', range: [0, 300], intervalS: 300, source: 'range: tipping-bucket gauges; interval: 5-min and hourly rainfall (BRIEF.md, field devices)' },
  { indicator: 'gate_opening', lifeline: 'drainage', name: { zh: '闸门开度', en: 'gate opening' }, unit: '%', range: [0, 100], intervalS: 900, source: 'a share' },
  { indicator: 'bod5', lifeline: 'drainage', name: { zh: '五日生化需氧量', en: 'BOD5' }, unit: 'mg/L', range: [0, 1000], intervalS: 3600, source: 'plant influent online monitors (HJ 212-2017), hourly' },
  { indicator: 'deflection', lifeline: 'bridge', name: { zh: '挠度', en: 'deflection' }, unit: 'mm', range: [-500, 500], intervalS: 60, source: 'range ours; interval: structural monitoring samples fast and reports per minute (JT/T 1037-2016 practice)' },
  { indicator: 'strain', lifeline: 'bridge', name: { zh: '应变', en: 'strain' }, unit: 'με', range: [-3000, 3000], intervalS: 60, source: 'range: vibrating-wire gauges ±3000 με' },
  { indicator: 'acceleration', lifeline: 'bridge', name: { zh: '加速度', en: 'acceleration' }, unit: 'm/s²', range: [-20, 20], intervalS: 60, source: 'range: ±2 g accelerometers' },
  { indicator: 'vibration', lifeline: 'bridge', name: { zh: '振动速度', en: 'vibration velocity' }, unit: 'mm/s', range: [0, 500], intervalS: 60, source: 'range ours' },
  { indicator: 'tilt', lifeline: 'bridge', name: { zh: '倾角', en: 'tilt' }, unit: '°', range: [-15, 15], intervalS: 300, source: 'range: MEMS inclinometers ±15°' },
  { indicator: 'crack_width', lifeline: 'bridge', name: { zh: '裂缝宽度', en: 'crack width' }, unit: 'mm', range: [0, 10], intervalS: 3600, source: 'range: crack meters 0–10 mm' },
  { indicator: 'o2', lifeline: 'tunnel', name: { zh: '氧气浓度', en: 'oxygen' }, unit: '%vol', range: [0, 30], intervalS: 60, source: `range: electrochemical O2 cells 0–30 %vol; interval ours (${GB50838} asks for continuous monitoring)` },
  { indicator: 'ch4_vol', lifeline: 'tunnel', name: { zh: '甲烷浓度', en: 'methane' }, unit: '%vol', range: [0, 100], intervalS: 60, source: 'range: 0–100 %vol; interval ours' },
  { indicator: 'tunnel_temperature', lifeline: 'tunnel', name: { zh: '管廊温度', en: 'tunnel temperature' }, unit: '°C', range: [-40, 100], intervalS: 300, source: 'range ours' },
  { indicator: 'humidity', lifeline: 'tunnel', name: { zh: '湿度', en: 'humidity' }, unit: '%RH', range: [0, 100], intervalS: 300, source: 'a share' },
  { indicator: 'tunnel_water_level', lifeline: 'tunnel', name: { zh: '管廊集水坑水位', en: 'tunnel sump level' }, unit: 'm', range: [0, 5], intervalS: 300, source: 'range ours' },
  { indicator: 'river_level', lifeline: 'river', name: { zh: '河道水位', en: 'river level' }, unit: 'm', range: [0, 60], intervalS: 900, source: 'elevation of the water surface; Jingzhou rivers lie near 25–40 m; interval ours' },
  { indicator: 'cod', lifeline: 'river', name: { zh: '化学需氧量', en: 'COD' }, unit: 'mg/L', range: [0, 1000], intervalS: 3600, source: 'online monitors report hourly (HJ 212-2017); range: UV/dichromate analysers' },
  { indicator: 'nh3n', lifeline: 'river', name: { zh: '氨氮', en: 'NH3-N' }, unit: 'mg/L', range: [0, 100], intervalS: 3600, source: 'hourly (HJ 212-2017)' },
  { indicator: 'tp', lifeline: 'river', name: { zh: '总磷', en: 'total phosphorus' }, unit: 'mg/L', range: [0, 50], intervalS: 3600, source: 'hourly (HJ 212-2017)' },
  { indicator: 'do', lifeline: 'river', name: { zh: '溶解氧', en: 'dissolved oxygen' }, unit: 'mg/L', range: [0, 20], intervalS: 3600, source: 'range: optical DO probes 0–20 mg/L; hourly' },
  { indicator: 'ph', lifeline: 'river', name: { zh: 'pH', en: 'pH' }, unit: 'pH', range: [0, 14], intervalS: 3600, source: 'the pH scale; hourly' },
  { indicator: 'battery', lifeline: 'device', name: { zh: '电量', en: 'battery' }, unit: '%', range: [0, 100], intervalS: 900, source: 'a share; reported with the measurement' },
  { indicator: 'signal', lifeline: 'device', name: { zh: '信号强度', en: 'signal' }, unit: 'dBm', range: [-140, 0], intervalS: 900, source: 'NB-IoT RSRP scale' },
  { indicator: 'mains_power', lifeline: 'device', name: { zh: '市电供电', en: 'mains power' }, unit: '', range: [0, 1], intervalS: 60,
    source: 'a state, 1 = mains present, 0 = lost: the mains-supervision relay (phase-failure relay) of a pump station, gate or gateway cabinet, read by its PLC or RTU and sent while the UPS holds; interval: mains-powered station telemetry (BRIEF.md)' },
];

export const INDICATOR_BY_ID: ReadonlyMap<string, IndicatorSpec> = new Map(INDICATORS.map((i) => [i.indicator, i]));

const threshold = (r: Omit<Rule, 'sensorId' | 'version'>): Rule => ({ sensorId: null, version: 1, ...r });

/** Sensor faults: a value outside the indicator's physical range. One rule per indicator, level 4, maintenance. */
const RANGE_RULES: Rule[] = INDICATORS.map((spec) => threshold({
  id: `range-${spec.indicator}`, name: `${spec.name.zh}超出量程`, indicator: spec.indicator, kind: 'range', category: 'maintenance',
  direction: 'above', thresholds: { 4: 1 }, recovery: 0.5, min: spec.range[0], max: spec.range[1],
  source: `physical range ${spec.range[0]}–${spec.range[1]} ${spec.unit}: ${spec.source}`,
}));

/**
 * Default rules (level 1 red … level 4 blue, each with the recovery value behind it), in force in
 * every deployment and overridable per asset class, asset and sensor. Each cites where its
 * numbers come from; where a source gives only one or two levels, the others are our spacing.
 * The first nine keep the ids and values they had before the catalogue grew (version 1).
 */
export const DEFAULT_RULES: Rule[] = [
  threshold({ id: 'methane-lel', name: '可燃气体浓度', indicator: 'methane_lel', direction: 'above', thresholds: { 1: 50, 2: 25, 3: 10, 4: 5 }, recovery: 3,
    source: 'GB/T 50493-2019 §5.5.2: first alarm ≤ 25 %LEL, second alarm ≤ 50 %LEL (levels 2 and 1); GB 15322.1-2019 detectors; 10 and 5 %LEL early warnings ours' }),
  threshold({ id: 'gas-pressure-low', name: '燃气管网压力低', indicator: 'gas_pressure', direction: 'below', thresholds: { 1: 0.1, 2: 0.15, 3: 0.2, 4: 0.25 }, recovery: 0.28,
    source: 'GB 50028-2006 table 6.1.6: medium-pressure A runs at 0.2–0.4 MPa (level 3 at its floor); other levels ours; override per asset class for other pressure classes' }),
  threshold({ id: 'water-pressure-low', name: '供水管网压力低', indicator: 'water_pressure', direction: 'below', thresholds: { 1: 0.1, 2: 0.14, 3: 0.18, 4: 0.2 }, recovery: 0.22,
    source: 'CJJ 207-2013: network pressure at the extremities not below 0.14 MPa (level 2); GB 50013-2018 §3.0.9: 28 m service head for six storeys (the target); other levels ours' }),
  threshold({ id: 'drain-level-high', name: '排水管网液位高', indicator: 'drain_level', direction: 'above', thresholds: { 1: 3, 2: 2.5, 3: 2, 4: 1.5 }, recovery: 1.3,
    source: 'typical project defaults: alarm ≥ 2.5 m, warning ≥ 2.0 m (BRIEF.md, field devices); 3 m and 1.5 m ours; override per asset for the manhole depth' }),
  threshold({ id: 'cod-high', name: '化学需氧量超标', indicator: 'cod', direction: 'above', thresholds: { 2: 40, 3: 30, 4: 20 }, recovery: 18,
    source: `${GB3838}: COD limits 20 / 30 / 40 mg/L; above class V (40 mg/L, also the typical project alarm in BRIEF.md) is level 2` }),
  threshold({ id: 'nh3n-high', name: '氨氮超标', indicator: 'nh3n', direction: 'above', thresholds: { 2: 2, 3: 1.5, 4: 1 }, recovery: 0.9,
    source: `${GB3838}: NH3-N limits 1.0 / 1.5 / 2.0 mg/L` }),
  threshold({ id: 'ph-high', name: 'pH 偏高', indicator: 'ph', direction: 'above', thresholds: { 3: 9 }, recovery: 8.8, source: 'GB 3838-2002: pH 6–9 for every class (BRIEF.md: outside 6–9 alarms)' }),
  threshold({ id: 'ph-low', name: 'pH 偏低', indicator: 'ph', direction: 'below', thresholds: { 3: 6 }, recovery: 6.2, source: 'GB 3838-2002: pH 6–9 for every class' }),
  threshold({ id: 'power-loss', name: '市电停电', indicator: 'mains_power', direction: 'below', thresholds: { 2: 0.5 }, recovery: 0.9,
    source: 'ours: mains lost (0) at a pump station, gate or gateway is level 2 (an incident at the default INCIDENT_LEVEL): pumps and gates stop and the instruments behind the cabinet fall silent; its offline alarms are muted by the pump-station-power-loss inhibition (docs/alerting.md); back to 1 clears' }),
  threshold({ id: 'battery-low', name: '设备电量低', indicator: 'battery', direction: 'below', thresholds: { 3: 10, 4: 20 }, recovery: 25, category: 'maintenance',
    source: 'ours: replace below 20 %, urgent below 10 % (a maintenance matter, never above level 3)' }),

  // Gas.
  threshold({ id: 'gas-pressure-drop', name: '燃气压力骤降', indicator: 'gas_pressure', kind: 'rate', windowS: 600, direction: 'below', thresholds: { 2: -0.1, 3: -0.05 }, recovery: -0.02,
    source: 'ours: a fall of 0.05 / 0.1 MPa within 10 min on a medium-pressure main is a rupture or a regulator failure, faster than the low-pressure rule sees it' }),
  threshold({ id: 'gas-pressure-stuck', name: '燃气压力数据不变', indicator: 'gas_pressure', kind: 'stuck', category: 'maintenance', tolerance: 0, direction: 'above', thresholds: { 4: 21_600 }, recovery: 1,
    source: 'ours: a live pressure transmitter never repeats its value exactly for 6 h' }),
  threshold({ id: 'gas-flow-baseline', name: '燃气流量异常', indicator: 'gas_flow', kind: 'baseline', direction: 'above', thresholds: { 4: 0.149 }, recovery: 0.05, keepFiringS: 3600, weekly: true,
    source: 'no fixed limit: the streaming detector (docs/detection.md) learns each meter\'s daily pattern; its score threshold 0.149 is tuned on NAB' }),
  // Water.
  threshold({ id: 'water-pressure-drop', name: '供水压力骤降', indicator: 'water_pressure', kind: 'rate', windowS: 300, direction: 'below', thresholds: { 2: -0.15, 3: -0.08 }, recovery: -0.03,
    source: 'ours: a burst main drops pressure by a tenth of a MPa or more within minutes; daily swings of a few hundredths do not count' }),
  threshold({ id: 'water-pressure-stuck', name: '供水压力数据不变', indicator: 'water_pressure', kind: 'stuck', category: 'maintenance', tolerance: 0, direction: 'above', thresholds: { 4: 21_600 }, recovery: 1,
    source: 'ours: as for gas pressure' }),
  threshold({ id: 'water-flow-baseline', name: '供水流量异常', indicator: 'water_flow', kind: 'baseline', direction: 'above', thresholds: { 4: 0.149 }, recovery: 0.05, keepFiringS: 3600, weekly: true,
    source: 'no fixed limit: per-meter statistical baseline with time-of-day seasonality, weekdays and weekends learnt apart (docs/detection.md, docs/rules.md)' }),
  threshold({ id: 'night-flow-baseline', name: '夜间最小流量异常', indicator: 'water_night_flow', kind: 'baseline', direction: 'above', thresholds: { 4: 0.149 }, recovery: 0.05, keepFiringS: 86_400 * 2,
    anomaly: { learning: 14, windows: [7, 28], short: 1, long: 56, suppress: 7 },
    source: 'no fixed limit: a rising minimum night flow is new leakage (CJJ 92-2016 practice); one value a night, so the detector learns over two weeks' }),
  // Drainage.
  threshold({ id: 'drain-fill-high', name: '管道充满度高', indicator: 'drain_fill', direction: 'above', thresholds: { 1: 1.2, 2: 1, 3: 0.85, 4: 0.75 }, recovery: 0.7,
    source: 'GB 50014-2021 §5.2.4: largest design fill ratio of sewers 0.55–0.75 by diameter (level 4 at 0.75); 1 = surcharged (level 2); others ours' }),
  threshold({ id: 'drain-level-rise', name: '排水液位快速上涨', indicator: 'drain_level', kind: 'rate', windowS: 900, direction: 'above', thresholds: { 3: 1, 4: 0.5 }, recovery: 0.2,
    source: 'ours: 0.5 / 1 m within 15 min is a manhole filling faster than the 15-min reports would show by level alone' }),
  threshold({ id: 'drain-flow-baseline', name: '排水流量异常', indicator: 'drain_flow', kind: 'baseline', direction: 'above', thresholds: { 4: 0.149 }, recovery: 0.05, keepFiringS: 3600, weekly: true,
    source: 'no fixed limit: per-sensor statistical baseline with daily seasonality (docs/detection.md)' }),
  threshold({ id: 'h2s-high', name: '硫化氢浓度高', indicator: 'h2s', direction: 'above', thresholds: { 1: 50, 2: 20, 3: 10, 4: 5 }, recovery: 3,
    source: `${GB50838}: H2S > 10 ppm (level 3); GBZ 2.1-2019 MAC 10 mg/m³ ≈ 7 ppm; 20 / 50 ppm ours (NIOSH IDLH 100 ppm)` }),
  threshold({ id: 'rainfall-heavy', name: '短时强降雨', indicator: 'rainfall', direction: 'above', thresholds: { 2: 50, 3: 30, 4: 16 }, recovery: 8,
    source: 'GB/T 28592-2012: ≥ 16 mm in 1 h is rainstorm class (BRIEF.md: hourly rainfall ≥ 16 mm alarm); 30 / 50 mm ours' }),
  // Bridges.
  threshold({ id: 'bridge-deflection', name: '桥梁挠度超限', indicator: 'deflection', direction: 'above', thresholds: { 1: 75, 2: 50, 3: 40, 4: 30 }, recovery: 25,
    source: 'JTG 3362-2018 §6.5.3: live-load deflection ≤ L/600, 50 mm for a 30 m span (level 2); others ours; override per bridge for its span' }),
  threshold({ id: 'bridge-crack-width', name: '裂缝宽度超限', indicator: 'crack_width', direction: 'above', thresholds: { 1: 0.5, 2: 0.3, 3: 0.2, 4: 0.15 }, recovery: 0.12,
    source: 'JTG 3362-2018 §6.4.2: crack width ≤ 0.20 mm for reinforced concrete in environments I–II (level 3), 0.15 mm in III–IV (level 4); 0.3 / 0.5 mm ours' }),
  threshold({ id: 'bridge-tilt', name: '桥墩倾斜', indicator: 'tilt', direction: 'above', thresholds: { 1: 0.57, 2: 0.23, 3: 0.17, 4: 0.11 }, recovery: 0.09,
    source: 'ours, scaled on GB 50007-2011 table 5.3.4 (allowed building tilt 0.002–0.004): 0.2 % / 0.3 % / 0.4 % / 1 % in degrees; set per pier from its design' }),
  threshold({ id: 'bridge-strain-baseline', name: '应变异常', indicator: 'strain', kind: 'baseline', direction: 'above', thresholds: { 4: 0.149 }, recovery: 0.05, keepFiringS: 3600,
    source: 'no universal limit: strain limits come from each structure\'s design (JT/T 1037-2016); until set per asset, the statistical baseline watches it' }),
  threshold({ id: 'bridge-acceleration-baseline', name: '加速度异常', indicator: 'acceleration', kind: 'baseline', direction: 'above', thresholds: { 4: 0.149 }, recovery: 0.05, keepFiringS: 3600,
    source: 'no universal limit (per structure, JT/T 1037-2016); statistical baseline' }),
  threshold({ id: 'bridge-vibration-baseline', name: '振动异常', indicator: 'vibration', kind: 'baseline', direction: 'above', thresholds: { 4: 0.149 }, recovery: 0.05, keepFiringS: 3600,
    source: 'no universal limit (per structure, JT/T 1037-2016); statistical baseline' }),
  // Utility tunnels.
  threshold({ id: 'tunnel-o2-low', name: '管廊氧气不足', indicator: 'o2', direction: 'below', thresholds: { 1: 16, 2: 18, 3: 19.5, 4: 20 }, recovery: 20.3,
    source: `${GB50838}: O2 < 19.5 % (level 3; GB 8958-2006 calls it oxygen deficiency); 20 / 18 / 16 % ours` }),
  threshold({ id: 'tunnel-o2-stuck', name: '氧气数据不变', indicator: 'o2', kind: 'stuck', category: 'maintenance', tolerance: 0, direction: 'above', thresholds: { 4: 86_400 }, recovery: 1,
    source: 'ours: an O2 cell near its end of life freezes at its last reading' }),
  threshold({ id: 'tunnel-ch4-high', name: '管廊甲烷浓度高', indicator: 'ch4_vol', direction: 'above', thresholds: { 1: 2.5, 2: 1.25, 3: 1, 4: 0.5 }, recovery: 0.3,
    source: `${GB50838}: CH4 > 1 %vol (level 3); GB/T 50493-2019 25 % / 50 % LEL = 1.25 / 2.5 %vol (LEL of methane 5 %vol); 0.5 ours` }),
  threshold({ id: 'tunnel-temperature-high', name: '管廊温度高', indicator: 'tunnel_temperature', direction: 'above', thresholds: { 2: 50, 3: 40, 4: 35 }, recovery: 33,
    source: `${GB50838}: temperature > 40 °C (level 3); others ours` }),
  threshold({ id: 'tunnel-humidity-high', name: '管廊湿度高', indicator: 'humidity', direction: 'above', thresholds: { 4: 90 }, recovery: 85, category: 'maintenance',
    source: `${GB50838}: humidity > 90 %; a matter for ventilation, so maintenance` }),
  threshold({ id: 'tunnel-water-level-high', name: '管廊集水坑水位高', indicator: 'tunnel_water_level', direction: 'above', thresholds: { 2: 0.8, 3: 0.5, 4: 0.3 }, recovery: 0.2,
    source: `${GB50838}: water level > the set high level; 0.3 / 0.5 / 0.8 m ours, set per sump` }),
  // Rivers.
  threshold({ id: 'river-level-rise', name: '河道水位快速上涨', indicator: 'river_level', kind: 'rate', windowS: 3600, direction: 'above', thresholds: { 3: 0.6, 4: 0.3 }, recovery: 0.1,
    source: 'ours; the fixed warning and guaranteed levels (警戒水位, 保证水位, GB/T 22482-2008) are per station: set them as asset overrides' }),
  threshold({ id: 'tp-high', name: '总磷超标', indicator: 'tp', direction: 'above', thresholds: { 2: 0.4, 3: 0.3, 4: 0.2 }, recovery: 0.18,
    source: `${GB3838}: TP (rivers) 0.2 / 0.3 / 0.4 mg/L` }),
  threshold({ id: 'do-low', name: '溶解氧偏低', indicator: 'do', direction: 'below', thresholds: { 2: 2, 3: 3, 4: 5 }, recovery: 5.5,
    source: `${GB3838}: DO ≥ 5 / 3 / 2 mg/L for classes III / IV / V` }),

  // Composite rules across sensors and assets (src/detect/composite.ts).
  threshold({ id: 'gas-leak-suspected', name: '疑似燃气泄漏', indicator: null, kind: 'composite', direction: 'above', thresholds: { 1: 1 }, recovery: 0.5, keepFiringS: 600,
    composite: {
      anchorTypes: ['adjacent_space'],
      trigger: { indicator: 'methane_lel', op: 'above', value: 10 },
      clauses: [
        { relation: 'self', indicator: 'methane_lel', op: 'rise', value: 5, windowS: 1800 },
        { relation: 'nearest_pipe', network: 'gas', indicator: 'gas_pressure', hops: 12, op: 'drop', value: 0.02, windowS: 1800 },
      ],
    },
    source: 'ours: gas rising in an adjacent space while the nearest gas main loses pressure is a leak from that main, not sewer gas (level 1)' }),
  threshold({ id: 'drain-blockage-suspected', name: '疑似管道堵塞', indicator: null, kind: 'composite', direction: 'above', thresholds: { 3: 1 }, recovery: 0.5,
    composite: {
      anchorTypes: ['manhole', 'inspection_well'],
      trigger: { indicator: 'drain_level', op: 'above', value: 2 },
      clauses: [{ relation: 'nearest_sensor', indicator: 'rainfall', radiusM: 3000, op: 'max_below', value: 0, windowS: 6 * 3600 }],
    },
    source: 'ours: a high manhole level with no rain at the nearest gauge for 6 h points at a blockage downstream' }),
  threshold({ id: 'storm-misconnection-suspected', name: '疑似雨污混接', indicator: null, kind: 'composite', direction: 'above', thresholds: { 4: 1 }, recovery: 0.5,
    composite: {
      anchorTypes: ['outfall', 'pipe', 'manhole'], anchorSystem: 'storm',
      trigger: { indicator: 'drain_flow', op: 'above', value: 1 },
      clauses: [{ relation: 'nearest_sensor', indicator: 'rainfall', radiusM: 5000, op: 'max_below', value: 0, windowS: 48 * 3600 }],
    },
    source: 'ours: a storm pipe carrying flow after 48 h without rain carries sewage: a misconnection (混错接) upstream' }),
  ...RANGE_RULES,
];

/** Inserts the default rules a deployment does not have yet (with version 1 in their history); rules already there are left as they are. */
export async function ensureDefaultRules(db: Queryable, at: Date = new Date()): Promise<void> {
  const [row] = await db.query<{ ids: string[] }>(`SELECT coalesce(array_agg(id), '{}') AS ids FROM rules`);
  const present = new Set(row?.ids ?? []);
  const missing = DEFAULT_RULES.filter((r) => !present.has(r.id));
  await insertRules(db, missing);
  for (const rule of missing) await recordRuleVersion(db, rule, 'catalogue', 'default from the catalogue', at);
  // Every rule has its current version in the history (rules from before the history existed too).
  const [counts] = await db.query<{ rules: number; versions: number }>(
    `SELECT (SELECT count(*)::int FROM rules WHERE kind IN ${READING_RULE_KINDS}) AS rules,
            (SELECT count(*)::int FROM rules r WHERE kind IN ${READING_RULE_KINDS} AND EXISTS (SELECT 1 FROM rule_versions v WHERE v.rule_id = r.id AND v.version = r.version)) AS versions`,
  );
  if (counts && counts.rules === counts.versions) return;
  for (const rule of await listAllRules(db)) await recordRuleVersion(db, rule, 'catalogue', 'in force when the rule history began', at);
}
