// Overload over real MQTT. The embedded broker reads a client's next socket chunk only after the
// previous chunk's messages are committed (aedes waits for authorizePublish), which paces each
// sender; past four times the high-water mark the pipeline refuses and counts. So a flood never
// grows memory without bound, and every message is either stored or counted as shed.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineStats } from '../../src/ingest/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { USERS } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { getJson, waitFor } from '../support/wait.ts';

// A socket read can deliver ~600 small messages at once: the mark sits below that.
const HIGH_WATER = 300;

describe('ingest flow control', () => {
  const data = tempDir('flow');
  let platform: Platform;
  let token: string;
  const stats = async () => (await getJson<{ pipeline: PipelineStats }>(`${platform.url}/api/ingest/stats`, token)).pipeline;

  beforeAll(async () => {
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('flow'), simulate: false, buildWeb: false, log: false,
      ingestHighWater: HIGH_WATER,
    });
    token = await platform.login(USERS.operator);
  });
  afterAll(async () => {
    await platform.stop();
    data.remove();
  });

  async function flood(clients: number, perClient: number, firstTs: number): Promise<void> {
    const gateway = platform.deviceCredentials('SIM-GW');
    const connections = await Promise.all(Array.from({ length: clients }, (_, c) => mqtt.connectAsync(platform.mqttUrl, { ...gateway, clientId: `flood-${firstTs}-${c}` })));
    connections.forEach((connection, c) => {
      for (let i = 0; i < perClient; i++) {
        const ts = new Date(firstTs + (c * perClient + i) * 10).toISOString();
        connection.publish(`${platform.topicPrefix}/devices/DL-002/up`, JSON.stringify({ ts, values: { level: 0.5 } }), { qos: 0 });
      }
    });
    await waitFor('the flood to be handled', async () => {
      const s = await stats();
      return s.committedUplinks + s.shed === totalSent ? true : undefined;
    }, 60_000);
    await Promise.all(connections.map((c) => c.endAsync()));
  }
  let totalSent = 0;

  it('paces one flooding client: nothing shed, nothing lost', async () => {
    totalSent += 10 * HIGH_WATER;
    await flood(1, 10 * HIGH_WATER, Date.now() - 3_600_000);
    const s = await stats();
    expect(s).toMatchObject({ shed: 0, committedReadings: totalSent });
    expect(s.maxQueued).toBeLessThan(4 * HIGH_WATER);
  });

  it('bounds the queue under many flooding clients and counts what it sheds', async () => {
    const before = await stats();
    totalSent += 12 * 1500;
    await flood(12, 1500, Date.now() - 1_800_000);
    const s = await stats();
    expect(s.maxQueued).toBeLessThanOrEqual(4 * HIGH_WATER);
    expect(s.overloads).toBeGreaterThan(before.overloads);
    expect(s.committedUplinks + s.shed).toBe(totalSent);
    const [row] = await platform.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings WHERE sensor_id = 'DL-002.level'`);
    expect(row!.n).toBe(s.committedReadings);
    expect((await getJson<{ status: string }>(`${platform.url}/api/health`)).status).toBe('ok');
  });
});
