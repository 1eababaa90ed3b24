import mqtt from 'mqtt';
import { uplinkTopic } from '../ingest/index.ts';
import { DEMO_ACCELERATION_RECORD, DEMO_BRIDGE_FREQUENCY_HZ } from './analysis-demo.ts';
import { DEMO_SENSORS } from './demo-city.ts';

/** A sensor the simulator drives: normal behaviour around a baseline, and a part in the scenario. */
export interface SimSensor {
  deviceId: string;
  channel: string;
  indicator: string;
  baseline: number;
  noise: number;
  /**
   * leak: combustible gas in an adjacent space; leakPressure: the nearby main losing pressure; storm: a filling manhole;
   * overload: a bridge's strain or deflection under a heavy vehicle; vibration: an accelerometer uploading waveform records.
   */
  role?: 'leak' | 'leakPressure' | 'storm' | 'overload' | 'vibration';
  /** How strongly the storm lifts this sensor (m). */
  stormRise?: number;
  /** How far the overload lifts this sensor (its unit). */
  overloadRise?: number;
}

export interface SimulatorOptions {
  brokerUrl: string;
  topicPrefix: string;
  intervalMs: number;
  sensors: SimSensor[];
  /** Length of the scripted scenario loop (a gas leak in an adjacent space, then a storm). */
  cycleMs?: number;
  onError?: (error: unknown) => void;
}

export interface Simulator {
  stop(): Promise<void>;
}

/** Typical normal operating values per indicator, for sensors the demo does not describe itself. */
const PROFILES: Record<string, { baseline: number; noise: number }> = {
  methane_lel: { baseline: 0.5, noise: 0.3 },
  temperature: { baseline: 18, noise: 0.4 },
  gas_pressure: { baseline: 0.38, noise: 0.005 },
  water_pressure: { baseline: 0.31, noise: 0.006 },
  water_flow: { baseline: 420, noise: 15 },
  drain_level: { baseline: 0.7, noise: 0.05 },
  drain_flow: { baseline: 900, noise: 40 },
  gate_opening: { baseline: 40, noise: 0.5 },
  river_level: { baseline: 2.2, noise: 0.03 },
  cod: { baseline: 16, noise: 1.5 },
  nh3n: { baseline: 0.6, noise: 0.08 },
  ph: { baseline: 7.4, noise: 0.1 },
  bod5: { baseline: 75, noise: 4 },
  strain: { baseline: 120, noise: 6 },
  deflection: { baseline: 4, noise: 0.3 },
  vibration: { baseline: 0.8, noise: 0.1 },
  battery: { baseline: 80, noise: 0.2 },
  signal: { baseline: -95, noise: 2 },
};
const FALLBACK = { baseline: 1, noise: 0.05 };

/** Deterministic noise in [-1, 1] so runs are repeatable. */
function noise(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/**
 * The sensors to drive for the registered ones: the demo's own descriptions where they exist,
 * typical values per indicator otherwise. In a generated city the first gas detector and gas
 * pressure monitor play the leak, and one drainage level sensor in ten fills in the storm.
 */
export function simulatedSensors(registered: { deviceId: string; channel: string; indicator: string }[]): SimSensor[] {
  const demo = new Map(DEMO_SENSORS.map((s) => [`${s.deviceId}.${s.channel}`, s]));
  const sorted = [...registered].sort((a, b) => `${a.deviceId}.${a.channel}`.localeCompare(`${b.deviceId}.${b.channel}`));
  const hasDemo = sorted.some((s) => demo.has(`${s.deviceId}.${s.channel}`));
  const firstOf = (indicator: string) => sorted.find((s) => s.indicator === indicator);
  const leak = hasDemo ? undefined : firstOf('methane_lel');
  const leakPressure = hasDemo ? undefined : firstOf('gas_pressure');
  return sorted.map((s) => {
    const spec = demo.get(`${s.deviceId}.${s.channel}`);
    if (spec) {
      const role = spec.deviceId === 'GD-002' && spec.indicator === 'methane_lel' ? 'leak' : spec.deviceId === 'GP-001' ? 'leakPressure' : spec.indicator === 'drain_level' ? 'storm'
        : spec.indicator === 'acceleration' ? 'vibration' : DEMO_OVERLOAD[spec.indicator] !== undefined ? 'overload' : undefined;
      // DL-001 peaks at 2.7 m, above the level-2 2.5 m of drain-level-high: an incident whose drainage analysis the console shows.
      return { ...s, baseline: spec.baseline, noise: spec.noise, role, stormRise: spec.deviceId === 'DL-001' ? 2.1 : 1.2, overloadRise: DEMO_OVERLOAD[spec.indicator] };
    }
    const profile = PROFILES[s.indicator] ?? FALLBACK;
    const storm = s.indicator === 'drain_level' && hash(s.deviceId) % 10 === 0;
    const role = s === leak ? 'leak' : s === leakPressure ? 'leakPressure' : storm ? 'storm' : undefined;
    return { ...s, ...profile, role, stormRise: 1 + (hash(s.deviceId) % 15) / 10 };
  });
}

/** A heavy vehicle on the demo's bridge: deflection to 56 mm (above the L/600 = 50 mm of its 30 m span, level 2) and strain to 350 με (above 300). */
const DEMO_OVERLOAD: Record<string, number> = { deflection: 52, strain: 230 };

/** A smooth 0 → 1 → 0 pulse over [start, end) of the cycle. */
function pulse(phase: number, start: number, end: number): number {
  if (phase < start || phase >= end) return 0;
  return Math.sin(((phase - start) / (end - start)) * Math.PI);
}

/** The value a simulated sensor reports at `elapsedMs` into the simulation. */
export function simulatedValue(sensor: SimSensor, elapsedMs: number, cycleMs: number, tick: number): number {
  const phase = (elapsedMs % cycleMs) / cycleMs;
  let value = sensor.baseline + sensor.noise * noise(tick * 31 + hash(sensor.deviceId + sensor.channel) % 1000);
  if (sensor.role === 'leak') value += 38 * pulse(phase, 0.25, 0.6); // peaks at level 2
  if (sensor.role === 'leakPressure') value -= 0.12 * pulse(phase, 0.25, 0.6);
  if (sensor.role === 'storm') value += (sensor.stormRise ?? 1.2) * pulse(phase, 0.65, 0.95);
  if (sensor.role === 'overload') value += (sensor.overloadRise ?? 0) * pulse(phase, 0.05, 0.2);
  return Number(Math.max(0, value).toFixed(3));
}

/** An accelerometer sample at epoch-ms `ts`: the span ringing at its first natural frequency, with noise (signed: no clamping). */
export function accelerationSample(sensor: SimSensor, ts: number, index: number): number {
  const ringing = 0.05 * Math.sin(2 * Math.PI * DEMO_BRIDGE_FREQUENCY_HZ * (ts / 1000));
  return Number((sensor.baseline + ringing + sensor.noise * noise(index * 17 + ts)).toFixed(4));
}

/** An accelerometer uploads one waveform record every this many report intervals (records never overlap at 200 ms intervals). */
const RECORD_EVERY = 20;

/** The waveform record ending at `endMs`: DEMO_ACCELERATION_RECORD samples, oldest first. */
export function accelerationRecord(sensor: SimSensor, endMs: number): { ts: number; value: number }[] {
  const { samples, rateHz } = DEMO_ACCELERATION_RECORD;
  const stepMs = 1000 / rateHz;
  return Array.from({ length: samples }, (_, i) => {
    const ts = endMs - (samples - 1 - i) * stepMs;
    return { ts, value: accelerationSample(sensor, ts, i) };
  });
}

/**
 * Publishes the simulated sensors over MQTT, one QoS 1 message per device per interval, as
 * field devices do: `{"ts": …, "values": {"<channel>": value}}` on `<prefix>/devices/<id>/up`.
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const cycleMs = options.cycleMs ?? 6 * 60 * 1000;
  const client = await mqtt.connectAsync(options.brokerUrl, { clientId: `lifeline-sim-${process.pid}-${Date.now()}` });
  client.on('error', (error) => options.onError?.(error));
  const started = Date.now();
  const byDevice = new Map<string, SimSensor[]>();
  for (const s of options.sensors) byDevice.set(s.deviceId, [...(byDevice.get(s.deviceId) ?? []), s]);
  let tick = 0;
  const publishAll = () => {
    tick++;
    const now = new Date();
    const send = (deviceId: string, ts: Date, values: Record<string, number>) => {
      client.publish(uplinkTopic(options.topicPrefix, deviceId), JSON.stringify({ ts: ts.toISOString(), values }), { qos: 1 }, (error) => {
        if (error) options.onError?.(error);
      });
    };
    for (const [deviceId, sensors] of byDevice) {
      const scalar = sensors.filter((s) => s.role !== 'vibration');
      if (scalar.length > 0) send(deviceId, now, Object.fromEntries(scalar.map((s) => [s.channel, simulatedValue(s, now.getTime() - started, cycleMs, tick)])));
      // A waveform record: one message per sample, as a gateway forwards a record it has buffered.
      if ((tick - 1) % RECORD_EVERY === 0) {
        for (const s of sensors.filter((x) => x.role === 'vibration')) for (const p of accelerationRecord(s, now.getTime())) send(deviceId, new Date(p.ts), { [s.channel]: p.value });
      }
    }
  };
  publishAll();
  const timer = setInterval(publishAll, options.intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await client.endAsync();
    },
  };
}
