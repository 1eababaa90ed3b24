// The HJ 212-2017 codes Lifeline reads: water pollutant codes (appendix B of the standard, the
// w-codes of surface-water and wastewater monitoring) mapped to Lifeline's indicator names, the
// upload commands, and the data flags of the instruments.

export interface PollutantCode {
  /** Lifeline's indicator name (src/detect/catalogue.ts, src/sim/generator.ts). */
  indicator: string;
  name: string;
  /** The unit the standard gives for real-time and average values. */
  unit: string;
}

export const POLLUTANT_CODES: Readonly<Record<string, PollutantCode>> = {
  w00000: { indicator: 'drain_flow', name: '污水/废水流量', unit: 'L/s' },
  w01001: { indicator: 'ph', name: 'pH 值', unit: 'pH' },
  w01003: { indicator: 'turbidity', name: '浊度', unit: 'NTU' },
  w01009: { indicator: 'do', name: '溶解氧', unit: 'mg/L' },
  w01010: { indicator: 'temperature', name: '水温', unit: '°C' },
  w01014: { indicator: 'conductivity', name: '电导率', unit: 'μS/cm' },
  w01017: { indicator: 'bod5', name: '五日生化需氧量', unit: 'mg/L' },
  w01018: { indicator: 'cod', name: '化学需氧量', unit: 'mg/L' },
  w01019: { indicator: 'codmn', name: '高锰酸盐指数', unit: 'mg/L' },
  w21001: { indicator: 'tn', name: '总氮', unit: 'mg/L' },
  w21003: { indicator: 'nh3n', name: '氨氮', unit: 'mg/L' },
  w21011: { indicator: 'tp', name: '总磷', unit: 'mg/L' },
};

/** The upload commands carrying data, and the field of each pollutant that holds the value. */
export const DATA_COMMANDS: Readonly<Record<string, { field: 'Rtd' | 'Avg'; name: string }>> = {
  '2011': { field: 'Rtd', name: 'real-time data' },
  '2051': { field: 'Avg', name: 'minute data' },
  '2061': { field: 'Avg', name: 'hour data' },
  '2031': { field: 'Avg', name: 'day data' },
};

/** Instrument data flags (`xxx-Flag`); only N is a valid measurement to store and evaluate. */
export const DATA_FLAGS: Readonly<Record<string, string>> = {
  N: 'instrument working normally',
  F: 'instrument stopped (停运)',
  M: 'instrument under maintenance (维护)',
  S: 'manually entered set value (手工输入的设定值)',
  D: 'instrument fault (故障)',
  C: 'instrument being calibrated (校准)',
  T: 'value above the measuring range (超测上限)',
  B: 'communication fault between instrument and data logger (通讯异常)',
};

/** Converts a value from the standard's unit to a sensor's unit, when they differ and Lifeline knows how. */
export function convertUnit(value: number, from: string, to: string): number | null {
  if (from === to) return value;
  if (from === 'L/s' && (to === 'm³/h' || to === 'm3/h')) return value * 3.6;
  if (from === 'L/s' && (to === 'm³/s' || to === 'm3/s')) return value / 1000;
  return null;
}
