// Replays the demo's scripted gas leak (src/sim/simulator.ts) into a running platform over HTTP
// ingestion, one reading a minute, ending now: the same values the simulator publishes, on a
// one-hour cycle so the leak's rise and the pressure dip land within half an hour.
import { DEMO_SENSORS, simulatedSensors, simulatedValue } from '../../src/sim/index.ts';

const CYCLE_MS = 60 * 60_000;
const STEP_MS = 60_000;
/** Up to this far into the cycle: the leak starts at 0.25 and peaks at 0.425. */
const UNTIL = 0.5;

export async function replayDemoLeak(url: string, now = Date.now()): Promise<void> {
  const sensors = simulatedSensors(DEMO_SENSORS).filter((s) => s.deviceId === 'GD-002' || s.deviceId === 'GP-001');
  const devices = [...new Set(sensors.map((s) => s.deviceId))];
  const steps = Math.round((UNTIL * CYCLE_MS) / STEP_MS);
  for (let i = 0; i <= steps; i++) {
    const elapsed = i * STEP_MS;
    const ts = new Date(now - (steps - i) * STEP_MS).toISOString();
    for (const device of devices) {
      const values = Object.fromEntries(sensors.filter((s) => s.deviceId === device).map((s) => [s.channel, simulatedValue(s, elapsed, CYCLE_MS, i)]));
      const response = await fetch(`${url}/api/ingest/devices/${device}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ts, values }),
      });
      if (!response.ok) throw new Error(`ingest ${device} at ${ts}: ${response.status} ${await response.text()}`);
    }
  }
}
