import type { RegisteredSensor } from '../network/registry.ts';

// The checks every payload form shares once a value is tied to a sensor: time policy, unit and
// physical range. Pure functions; each answers null when the value passes or why it does not.

/** Readings stamped further ahead than this are refused: the device clock is wrong. */
export const MAX_CLOCK_AHEAD_MS = 10 * 60 * 1000;

/**
 * Readings older than this are refused. Long enough for a battery device that buffered through
 * a week-long outage to upload its backlog; short enough that a clock reset to 1970 or 2000 and
 * epoch seconds sent as milliseconds are caught instead of stored as history.
 */
export const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * What a sensor can physically report, per indicator, in the unit the range is written in. A
 * value outside is a sensor fault (broken probe, wiring, firmware), not an event, so it never
 * reaches detection. Checked only when the sensor's unit is the range's unit.
 */
export const PHYSICAL_RANGES: Readonly<Record<string, { min: number; max: number; unit: string }>> = {
  methane_lel: { min: 0, max: 100, unit: '%LEL' },
  gas_pressure: { min: 0, max: 10, unit: 'MPa' },
  // Water mains can run slightly below atmospheric (transient vacuum), never below -0.1 MPa.
  water_pressure: { min: -0.1, max: 10, unit: 'MPa' },
  // Reverse flow is negative; 50,000 m³/h is far above a DN2000 main at full velocity.
  water_flow: { min: -50_000, max: 50_000, unit: 'm³/h' },
  drain_level: { min: -5, max: 50, unit: 'm' },
  temperature: { min: -50, max: 150, unit: '°C' },
  battery: { min: 0, max: 100, unit: '%' },
  signal: { min: -150, max: 0, unit: 'dBm' },
};

// SenML (RFC 8428/8798) spells some units differently from the registry's display units.
const UNIT_ALIASES: Readonly<Record<string, string>> = {
  Cel: '°C',
  'm3/h': 'm³/h',
  'm3/s': 'm³/s',
  m3: 'm³',
};

const canonicalUnit = (unit: string): string => UNIT_ALIASES[unit] ?? unit;

export function checkUnit(sent: string | undefined, sensor: RegisteredSensor): string | null {
  if (sent === undefined || canonicalUnit(sent) === canonicalUnit(sensor.unit)) return null;
  return `unit '${sent}' does not match the sensor's unit '${sensor.unit}'`;
}

export function checkRange(value: number, sensor: RegisteredSensor): string | null {
  const range = PHYSICAL_RANGES[sensor.indicator];
  if (!range || range.unit !== sensor.unit || (value >= range.min && value <= range.max)) return null;
  return `sensor fault: ${value} ${sensor.unit} is outside the physical range of ${sensor.indicator} (${range.min} to ${range.max} ${range.unit})`;
}

export type TimeProblem = { code: 'clock_ahead' | 'too_old'; reason: string };

export function checkTime(ts: Date, receivedAt: Date): TimeProblem | null {
  const ahead = ts.getTime() - receivedAt.getTime();
  if (ahead > MAX_CLOCK_AHEAD_MS) {
    return { code: 'clock_ahead', reason: `${ts.toISOString()} is more than ${MAX_CLOCK_AHEAD_MS / 60_000} min ahead of the server clock` };
  }
  if (-ahead > MAX_AGE_MS) {
    // A 10-digit epoch is seconds: the commonest device-side slip, worth naming.
    const hint = ts.getTime() > 0 && ts.getTime() < 1e11 ? ' (epoch seconds sent where milliseconds are expected?)' : '';
    return { code: 'too_old', reason: `${ts.toISOString()} is more than ${MAX_AGE_MS / 86_400_000} days in the past${hint}` };
  }
  return null;
}
