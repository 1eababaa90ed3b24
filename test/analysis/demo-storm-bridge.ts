// Replays the demo's storm in DN02/DN04 and the heavy vehicle on bridge BS-01 (src/sim/simulator.ts)
// into a running platform over HTTP ingestion, one reading a minute over the quarter hour ending
// now, then one waveform record of BS-01's accelerometer ending now: the values the simulator
// publishes, on a one-hour cycle.
import { accelerationRecord } from '../../src/sim/simulator.ts';
import { DEMO_SENSORS, simulatedSensors, simulatedValue } from '../../src/sim/index.ts';

const CYCLE_MS = 60 * 60_000;
const STEP_MS = 60_000;
const STEPS = 15;

async function post(url: string, device: string, ts: number, values: Record<string, number>): Promise<void> {
  const response = await fetch(`${url}/api/ingest/devices/${device}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ts: new Date(ts).toISOString(), values }),
  });
  if (!response.ok) throw new Error(`ingest ${device}: ${response.status} ${await response.text()}`);
}

export async function replayDemoStormAndBridge(url: string, now = Date.now()): Promise<void> {
  const sensors = simulatedSensors(DEMO_SENSORS);
  // The storm peaks at 0.8 of the cycle, the overload at 0.125: both ranges end past their peaks.
  const scripts = [
    { devices: ['DL-001', 'DL-002'], channels: ['level'], startPhase: 0.7 },
    { devices: ['BM-001'], channels: ['strain', 'defl'], startPhase: 0.05 },
  ];
  for (let i = 0; i <= STEPS; i++) {
    const ts = now - (STEPS - i) * STEP_MS;
    for (const script of scripts) {
      for (const device of script.devices) {
        const mine = sensors.filter((s) => s.deviceId === device && script.channels.includes(s.channel));
        await post(url, device, ts, Object.fromEntries(mine.map((s) => [s.channel, simulatedValue(s, script.startPhase * CYCLE_MS + i * STEP_MS, CYCLE_MS, i)])));
      }
    }
  }
  const accelerometer = sensors.find((s) => s.deviceId === 'BA-001')!;
  for (const p of accelerationRecord(accelerometer, now)) await post(url, 'BA-001', p.ts, { [accelerometer.channel]: p.value });
}
