// Two platforms on one PostgreSQL database stand for two processes behind one load balancer, with
// a browser on each. A change made by one process — a reading ingested there, an alarm raised by
// its leader-only drainage timer — reaches the live WebSocket of the other, once: through NATS
// with NATS_URL, through PostgreSQL LISTEN/NOTIFY without it (docs/cluster.md).
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveMessage } from '../../src/api/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { NATS_URL, natsService, postgresService } from '../support/services.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const [postgres, nats] = await Promise.all([postgresService(), natsService()]);

/** A browser's live feed: every message as it came. */
async function liveFeed(platform: Platform): Promise<{ messages: LiveMessage[]; close(): void }> {
  const socket = new WebSocket(`${platform.url.replace(/^http/, 'ws')}/api/live`);
  const messages: LiveMessage[] = [];
  socket.on('message', (raw) => messages.push(JSON.parse(raw.toString()) as LiveMessage));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  await waitFor('hello', () => messages.find((m) => m.type === 'hello'));
  return { messages, close: () => socket.close() };
}

const variants = [
  { bus: 'NATS', available: postgres.available && nats.available, natsUrl: NATS_URL as string | undefined },
  { bus: 'PostgreSQL LISTEN/NOTIFY', available: postgres.available, natsUrl: undefined },
];

for (const variant of variants) {
  describe.skipIf(!variant.available)(`live messages across two platforms on one database: ${variant.bus}`, () => {
    let now = new Date('2026-11-23T01:10:00Z');
    const cleanups: (() => Promise<void> | void)[] = [];
    let leader: Platform;
    let follower: Platform;
    let onLeader: Awaited<ReturnType<typeof liveFeed>>;
    let onFollower: Awaited<ReturnType<typeof liveFeed>>;

    beforeAll(async () => {
      const database = await createTestDatabase();
      cleanups.push(database.drop);
      const natsSubject = `test.${topicPrefix('cluster-live')}.events`;
      const start = async (label: string, drainageCheckMs: number) => {
        const data = tempDir(label);
        cleanups.push(data.remove);
        const platform = await startPlatform({
          port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, databaseUrl: database.url, topicPrefix: topicPrefix(label),
          natsUrl: variant.natsUrl, natsSubject, simulate: false, buildWeb: false, log: false, auth: 'off', deviceAuth: 'off',
          clock: () => now, timeZone: 'Asia/Shanghai', drainageCheckMs, offlineCheckMs: 3_600_000, leaderLease: { leaseMs: 3_000, renewMs: 100 },
        });
        cleanups.push(() => platform.stop());
        return platform;
      };
      // The first takes the lease; its drainage timer ticks every 100 ms, the follower's never during the test.
      leader = await start('cluster-a', 100);
      follower = await start('cluster-b', 3_600_000);
      onLeader = await liveFeed(leader);
      onFollower = await liveFeed(follower);
      cleanups.push(() => onLeader.close(), () => onFollower.close());
    }, 120_000);

    afterAll(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    const alarmsAndIncidents = (messages: LiveMessage[], sensorId: string) =>
      messages.filter((m) => (m.type === 'alarm' && m.alarm.sensorId === sensorId) || (m.type === 'incident' && m.incident.title.includes(sensorId.split('.')[0]!)));

    it("a reading ingested on one process reaches the other's browser: the value, the alarm and the incident, once", async () => {
      expect([leader.isLeader(), follower.isLeader()]).toEqual([true, false]);
      for (const platform of [leader, follower]) {
        expect(await (await fetch(`${platform.url}/api/health`)).json()).toMatchObject({ bus: variant.natsUrl ? 'nats' : 'postgres' });
      }
      const report = async (deviceId: string, lel: number) => {
        const response = await fetch(`${follower.url}/api/ingest/devices/${deviceId}`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: { lel } }),
        });
        expect(response.status).toBe(200);
      };
      // Ingested by the follower (as a load balancer might send it), seen on the leader's socket.
      await report('GD-001', 40);
      const alarm = await waitFor('the alarm on the other process', () =>
        onLeader.messages.find((m) => m.type === 'alarm' && m.alarm.sensorId === 'GD-001.lel'));
      expect(alarm).toMatchObject({ alarm: { level: 2, lastValue: 40 } });
      await waitFor('the incident on the other process', () => onLeader.messages.find((m) => m.type === 'incident' && m.incident.alarmIds.includes(alarm.type === 'alarm' ? alarm.alarm.id : '')));
      await waitFor('the reading on the other process', () => onLeader.messages.find((m) => m.type === 'readings' && m.readings.some((r) => r.sensorId === 'GD-001.lel' && r.value === 40)));
      // A second change after the first: once it has arrived, everything of the first has (one publisher, in order).
      await report('GD-002', 40);
      await waitFor('the marker alarm', () => onLeader.messages.find((m) => m.type === 'alarm' && m.alarm.sensorId === 'GD-002.lel'));
      await waitFor('the marker alarm at home', () => onFollower.messages.find((m) => m.type === 'alarm' && m.alarm.sensorId === 'GD-002.lel'));
      // Both browsers saw the same alarm and incident messages, in the same order: none lost, none doubled.
      const atHome = alarmsAndIncidents(onFollower.messages, 'GD-001.lel');
      expect(atHome.length).toBeGreaterThanOrEqual(2);
      expect(alarmsAndIncidents(onLeader.messages, 'GD-001.lel')).toEqual(atHome);
    });

    it("an alarm raised by the leader's timer reaches the follower's browser, once", async () => {
      // The demo's 2-hourly patrol at DPS-01 was due at 02:00 with a 30 min window: missed at 02:30.
      now = new Date('2026-11-23T02:31:00Z');
      const missed = (messages: LiveMessage[]) => messages.filter((m) => m.type === 'alarm' && m.alarm.ruleId === 'missed-patrol');
      await waitFor('the missed-patrol alarm on the follower', () => (missed(onFollower.messages).length > 0 ? true : undefined));
      const raised = await follower.db.query<{ id: string }>(`SELECT id::text AS id FROM alarms WHERE rule_id = 'missed-patrol'`);
      expect(raised).toHaveLength(1);
      // The leader's next announcement (a reading) is the marker: the alarm is not repeated before it.
      const response = await fetch(`${leader.url}/api/ingest/devices/GD-001`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: { temp: 21.5 } }),
      });
      expect(response.status).toBe(200);
      await waitFor('the marker reading', () => onFollower.messages.find((m) => m.type === 'readings' && m.readings.some((r) => r.sensorId === 'GD-001.temp' && r.value === 21.5)));
      expect(missed(onFollower.messages)).toEqual(missed(onLeader.messages));
      expect(missed(onFollower.messages).map((m) => m.type === 'alarm' && m.alarm.id)).toEqual([raised[0]!.id]);
    });
  });
}
