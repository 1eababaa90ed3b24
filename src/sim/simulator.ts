import mqtt from 'mqtt';
import { uplinkTopic } from '../ingest/index.ts';
import { DEMO_SENSORS } from './demo-city.ts';

/** A sensor the simulator drives: normal behaviour around a baseline, and a part in the scenario. */
export interface SimSensor {
  deviceId: string;
  channel: string;
  indicator: string;
  baseline: number;
  noise: number;
  /** leak: combustible gas in an adjacent space; leakPressure: the nearby main losing pressure; storm: a filling manhole. */
  role?: 'leak' | 'leakPressure' | 'storm';
  /** How strongly the storm lifts this sensor (m). */
  stormRise?: number;
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
      const role = spec.deviceId === 'GD-002' && spec.indicator === 'methane_lel' ? 'leak' : spec.deviceId === 'GP-001' ? 'leakPressure' : spec.indicator === 'drain_level' ? 'storm' : undefined;
      return { ...s, baseline: spec.baseline, noise: spec.noise, role, stormRise: spec.deviceId === 'DL-001' ? 1.8 : 1.2 };
    }
    const profile = PROFILES[s.indicator] ?? FALLBACK;
    const storm = s.indicator === 'drain_level' && hash(s.deviceId) % 10 === 0;
    const role = s === leak ? 'leak' : s === leakPressure ? 'leakPressure' : storm ? 'storm' : undefined;
    return { ...s, ...profile, role, stormRise: 1 + (hash(s.deviceId) % 15) / 10 };
  });
}

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
  return Number(Math.max(0, value).toFixed(3));
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
    for (const [deviceId, sensors] of byDevice) {
      const values = Object.fromEntries(sensors.map((s) => [s.channel, simulatedValue(s, now.getTime() - started, cycleMs, tick)]));
      client.publish(uplinkTopic(options.topicPrefix, deviceId), JSON.stringify({ ts: now.toISOString(), values }), { qos: 1 }, (error) => {
        if (error) options.onError?.(error);
      });
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
