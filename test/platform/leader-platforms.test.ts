// Two platforms on one PostgreSQL database stand for two processes behind one load balancer:
// exactly one runs the leader-only timers (GET /api/health says which). The leader's drainage
// timer is hourly (it does not tick during the test), the follower's every 100 ms: a missed
// patrol raises no alarm while the follower's ticks are skipped, and once the leader stops the
// other takes the timers over and raises it, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthDto } from '../../src/api/dto.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { postgresService } from '../support/services.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

const postgres = await postgresService();
let now = new Date('2026-11-23T01:10:00Z');
const cleanups: (() => Promise<void> | void)[] = [];
let first: Platform;
let second: Platform;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const health = async (platform: Platform) => (await (await fetch(`${platform.url}/api/health`)).json()) as HealthDto;

beforeAll(async () => {
  if (!postgres.available) return;
  const database = await createTestDatabase();
  cleanups.push(database.drop);
  const start = async (label: string, drainageCheckMs: number) => {
    const data = tempDir(label);
    cleanups.push(data.remove);
    const platform = await startPlatform({
      port: 0, mqttPort: 0, hj212Port: null, host: '127.0.0.1', dataDir: data.dir, databaseUrl: database.url, topicPrefix: topicPrefix(label),
      simulate: false, buildWeb: false, log: false, auth: 'off', clock: () => now, timeZone: 'Asia/Shanghai',
      drainageCheckMs, leaderLease: { leaseMs: 3_000, renewMs: 100 },
    });
    cleanups.push(() => platform.stop());
    return platform;
  };
  // One after the other: the second finds the database migrated and the demo city loaded.
  first = await start('leader-a', 3_600_000);
  second = await start('leader-b', 100);
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!postgres.available)('leader-only timers on two platforms sharing PostgreSQL', () => {
  it('exactly one platform leads, and its health says so', async () => {
    // The first took the free lease at start; the second finds it held.
    expect([first.isLeader(), second.isLeader()]).toEqual([true, false]);
    expect((await health(first)).leader).toBe(true);
    expect((await health(second)).leader).toBe(false);
  });

  const missedPatrolAlarms = () => second.db.query<{ id: string }>(`SELECT id::text AS id FROM alarms WHERE rule_id = 'missed-patrol'`);

  it("the follower's drainage timer does not run", async () => {
    // The demo's 2-hourly patrol at DPS-01 was due at 02:00 with a 30 min window: missed at 02:30.
    now = new Date('2026-11-23T02:31:00Z');
    // Ten of the follower's 100 ms ticks.
    const ticks = Date.now() + 1_000;
    await until('ten ticks', () => (Date.now() > ticks ? true : undefined));
    expect(second.isLeader()).toBe(false);
    expect(await missedPatrolAlarms()).toEqual([]);
  });

  it('when the leader stops, the other takes the timers over and raises the alarm once', async () => {
    await first.stop();
    // Stopping releases the lease: the second takes it at its next renewal, not after expiry.
    await until('the second platform to lead', () => (second.isLeader() ? true : undefined));
    expect((await health(second)).leader).toBe(true);
    await until('the missed-patrol alarm', async () => ((await missedPatrolAlarms()).length > 0 ? true : undefined));
    const raised = await missedPatrolAlarms();
    expect(raised).toHaveLength(1);
    expect(await second.db.query(`SELECT kind FROM alarm_events WHERE alarm_id = $1`, [raised[0]!.id])).toEqual([{ kind: 'open' }]);
  });
});
