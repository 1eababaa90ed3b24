import mqtt from 'mqtt';
import { uplinkTopic } from '../ingest/index.ts';
import { DEMO_SENSORS, type DemoSensorSpec } from './demo-city.ts';

export interface SimulatorOptions {
  brokerUrl: string;
  topicPrefix: string;
  intervalMs: number;
  /** Length of the scripted scenario loop (a gas leak in an adjacent space, then a storm). */
  cycleMs?: number;
  onError?: (error: unknown) => void;
}

export interface Simulator {
  stop(): Promise<void>;
}

/** Deterministic noise in [-1, 1] so runs are repeatable. */
function noise(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

/** A smooth 0 → 1 → 0 pulse over [start, end) of the cycle. */
function pulse(phase: number, start: number, end: number): number {
  if (phase < start || phase >= end) return 0;
  return Math.sin(((phase - start) / (end - start)) * Math.PI);
}

/** The value a demo sensor reports at `elapsedMs` into the simulation. */
export function simulatedValue(spec: DemoSensorSpec, elapsedMs: number, cycleMs: number, tick: number): number {
  const phase = (elapsedMs % cycleMs) / cycleMs;
  const leak = pulse(phase, 0.25, 0.6);
  const storm = pulse(phase, 0.65, 0.95);
  let value = spec.baseline + spec.noise * noise(tick * 31 + spec.deviceId.length * 7 + spec.baseline * 1000);
  if (spec.deviceId === 'GD-002') value += 38 * leak; // leak in the power manhole: peaks at level 2
  if (spec.deviceId === 'GP-001') value -= 0.12 * leak; // the nearby main loses pressure at the same time
  if (spec.indicator === 'drain_level') value += (spec.deviceId === 'DL-001' ? 1.8 : 1.2) * storm;
  return Number(Math.max(0, value).toFixed(3));
}

/**
 * Publishes the demo city's sensors over MQTT, one QoS 1 message per device per interval, as
 * field devices do: `{"ts": …, "values": {"<channel>": value}}` on `<prefix>/devices/<id>/up`.
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const cycleMs = options.cycleMs ?? 6 * 60 * 1000;
  const client = await mqtt.connectAsync(options.brokerUrl, { clientId: `lifeline-sim-${process.pid}-${Date.now()}` });
  client.on('error', (error) => options.onError?.(error));
  const started = Date.now();
  const devices = [...new Set(DEMO_SENSORS.map((s) => s.deviceId))];
  let tick = 0;
  const publishAll = () => {
    tick++;
    const now = new Date();
    for (const deviceId of devices) {
      const values = Object.fromEntries(
        DEMO_SENSORS.filter((s) => s.deviceId === deviceId).map((s) => [s.channel, simulatedValue(s, now.getTime() - started, cycleMs, tick)]),
      );
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
