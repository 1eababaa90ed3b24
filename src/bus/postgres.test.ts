// The LISTEN/NOTIFY bus outlives its connection: a terminated backend (a database restart, a
// proxy dropping idle sessions) is re-opened with back-off, events flow again, and the gap is
// announced (a `resync` event) so the live feed can tell browsers to re-read.
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/postgres.ts';
import { postgresService } from '../../test/support/services.ts';
import { PgNotifyBus, type EventBus, type PlatformEvent } from './index.ts';

const postgres = await postgresService();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!postgres.available)('PostgreSQL LISTEN/NOTIFY bus', () => {
  it('re-opens its connection after the server ends it, and hears others again', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const logger = pino({ level: 'silent' });
    const open = async (): Promise<EventBus> => {
      const bus = await PgNotifyBus.connect({ url: database.url, logger });
      cleanups.push(() => bus.close());
      return bus;
    };
    const [a, b] = [await open(), await open()];
    const heard: number[] = [];
    b.subscribe((event) => event.type === 'readings' && heard.push(event.readings[0]!.value));
    const resyncs: string[] = [];
    b.subscribe((event) => event.type === 'resync' && resyncs.push(event.reason));
    b.subscribe((event) => event.type === 'resync' && resyncs.push('local-only subscriber'), 'local');
    const ping = (value: number): PlatformEvent => ({ type: 'readings', readings: [{ sensorId: 'GD-001.lel', ts: '2026-11-23T08:00:00.000Z', value }] });
    a.publish(ping(1));
    await expect.poll(() => heard).toEqual([1]);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const ended = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lifeline bus' AND datname = current_database()`);
    await admin.end();
    expect(ended.rowCount).toBe(2);

    // Published until one gets through: events sent while a connection is down are missed (at most once), none doubled.
    let next = 2;
    await expect.poll(() => {
      a.publish(ping(next++));
      return heard.length;
    }, { timeout: 20_000, interval: 200 }).toBeGreaterThan(1);
    // The gap is announced once to the subscribers that hear other processes, so browsers re-read.
    expect(resyncs).toEqual(['LISTEN connection back']);
    const arrived = heard.slice(1);
    expect(new Set(arrived).size).toBe(arrived.length);
    expect(arrived).toEqual([...arrived].sort((x, y) => x - y));
  });
});
