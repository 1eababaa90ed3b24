// Load generator for `lifeline bench ingest`, run as its own process so the platform under test
// keeps a core of its own. Reads its job as JSON from argv[2]; prints one JSON result line.
import mqtt, { type MqttClient } from 'mqtt';

interface Job {
  mqttUrl: string;
  topicPrefix: string;
  devices: string[];
  channels: number;
  seconds: number;
  qos: 0 | 1;
  connections: number;
  /** Messages per second over all connections; 0 = as fast as acknowledgements allow. */
  rate: number;
  /** Devices that periodically send an over-threshold value (alarm latency probes). */
  probes: string[];
  probeEveryMs: number;
  window: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
const lastTs = new Map<string, number>();
function nextTs(device: string): number {
  const ts = Math.max(Date.now(), (lastTs.get(device) ?? 0) + 1);
  lastTs.set(device, ts);
  return ts;
}

function payload(device: string, high: boolean): string {
  const values: Record<string, number> = {};
  for (let c = 0; c < job.channels; c++) values[`c${c}`] = high && c === 0 ? 95 : Math.round(Math.random() * 400) / 10;
  return JSON.stringify({ ts: nextTs(device), values });
}

let sent = 0;
let acked = 0;
let failed = 0;
let stopping = false;
let firstPublish = 0;
let lastAck = 0;

async function runConnection(index: number, devices: string[]): Promise<void> {
  const client: MqttClient = await mqtt.connectAsync(job.mqttUrl, { clientId: `bench-${process.pid}-${index}`, reconnectPeriod: 0 });
  let inFlight = 0;
  let cursor = 0;
  const perConnectionRate = job.rate > 0 ? job.rate / job.connections : 0;
  const started = Date.now();
  let wake: (() => void) | null = null;
  while (!stopping) {
    if (job.qos === 1 && inFlight >= job.window) {
      await new Promise<void>((r) => (wake = r));
      continue;
    }
    if (perConnectionRate > 0) {
      const due = started + (sent / job.connections / perConnectionRate) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    const device = devices[cursor++ % devices.length]!;
    if (!firstPublish) firstPublish = Date.now();
    inFlight++;
    sent++;
    client.publish(`${job.topicPrefix}/devices/${device}/up`, payload(device, false), { qos: job.qos }, (error) => {
      inFlight--;
      if (error) failed++;
      else {
        acked++;
        lastAck = Date.now();
      }
      const w = wake;
      wake = null;
      w?.();
    });
    if (job.qos === 0 && sent % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  const deadline = Date.now() + 30_000;
  while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await client.endAsync();
}

async function runProbes(): Promise<void> {
  if (job.probes.length === 0) return;
  const client = await mqtt.connectAsync(job.mqttUrl, { clientId: `bench-probe-${process.pid}`, reconnectPeriod: 0 });
  let round = 0;
  while (!stopping) {
    const device = job.probes[round % job.probes.length]!;
    // Each probe device alternates high and low so every high value opens a fresh alarm.
    const high = Math.floor(round / job.probes.length) % 2 === 0;
    round++;
    sent++;
    await client.publishAsync(`${job.topicPrefix}/devices/${device}/up`, payload(device, high), { qos: 1 }).then(
      () => acked++,
      () => failed++,
    );
    await new Promise((r) => setTimeout(r, job.probeEveryMs));
  }
  await client.endAsync();
}

const groups: string[][] = Array.from({ length: job.connections }, () => []);
job.devices.forEach((d, i) => groups[i % job.connections]!.push(d));
setTimeout(() => (stopping = true), job.seconds * 1000);
await Promise.all([...groups.filter((g) => g.length > 0).map((g, i) => runConnection(i, g)), runProbes()]);
console.log(JSON.stringify({ sent, acked, failed, seconds: (lastAck - firstPublish) / 1000 }));
