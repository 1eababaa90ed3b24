// The contract every Db implementation must meet: PGlite (embedded) and PostgreSQL run the same suite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES, detect, ensureDefaultRules, insertRules, RuleBook } from '../detect/index.ts';
import { seedDemoCity } from '../sim/seed.ts';
import type { Db } from './db.ts';
import { migrate, migrations } from './migrations.ts';
import { storesUnderTest } from '../../test/support/stores.ts';


const implementations = await storesUnderTest();

describe.each(implementations)('Db contract: $name', (impl) => {
  let db: Db;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    if (!impl.available) return;
    ({ db, drop } = await impl.open());
  });
  afterAll(async () => {
    if (!impl.available) return;
    await db.close();
    await drop();
  });

  it.skipIf(!impl.available)('applies every migration once', async () => {
    expect(await migrate(db)).toEqual(migrations.map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
  });

  it.skipIf(!impl.available)('returns the same value shapes', async () => {
    const [row] = await db.query(`SELECT 7::bigint AS big, 2::smallint AS small, 1.25::float8 AS f,
      '2026-01-02T03:04:05Z'::timestamptz AS ts, '{"a":[1]}'::jsonb AS doc, NULL::text AS nothing`);
    expect(row).toEqual({ big: 7, small: 2, f: 1.25, ts: new Date('2026-01-02T03:04:05Z'), doc: { a: [1] }, nothing: null });
  });

  it.skipIf(!impl.available)('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.exec('CREATE TABLE contract_tx (n int)');
    await db.transaction((tx) => tx.query('INSERT INTO contract_tx VALUES (1)'));
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO contract_tx VALUES (2)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query('SELECT n FROM contract_tx')).toEqual([{ n: 1 }]);
  });

  it.skipIf(!impl.available)('keeps one active alarm per (sensor, rule) under concurrent writers', async () => {
    await ensureDefaultRules(db);
    await ensureDefaultRules(db);
    expect(await seedDemoCity(db)).toBe(true);
    expect(await seedDemoCity(db)).toBe(false);
    const book = new RuleBook(DEFAULT_RULES);
    const reading = { sensorId: 'GD-002.lel', indicator: 'methane_lel', ts: new Date('2026-11-23T00:00:00Z'), value: 70 };
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => db.transaction((tx) => detect(tx, book, [{ ...reading, ts: new Date(reading.ts.getTime() + i) }]))),
    );
    expect(results.flat().filter((c) => c.kind === 'open')).toHaveLength(1);
    const alarms = await db.query(`SELECT level, state FROM alarms WHERE sensor_id = 'GD-002.lel'`);
    expect(alarms).toEqual([{ level: 1, state: 'active' }]);
  });

  it.skipIf(!impl.available)('refuses a second rule with the same id', async () => {
    await expect(db.transaction((tx) => insertRules(tx, [DEFAULT_RULES[0]!]))).rejects.toThrow();
  });
});
