// A rule saved through one process reaches the others: two rule-book holders on one database (on
// PostgreSQL two connection pools, as two processes sharing the MQTT stream have), an override
// saved through A, and B's next revision check reloads its book so that B's detection fires on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRule, detect, ensureDefaultRules, RuleBookWatch, rulesRevision, type AlarmChange } from '../../src/detect/index.ts';
import { seedDemoCity } from '../../src/sim/seed.ts';
import { migrate, openPostgres, PartitionKeeper, type Db } from '../../src/store/index.ts';
import { storesUnderTest } from '../support/stores.ts';

const T0 = Date.parse('2026-11-23T00:00:00Z');
const stores = await storesUnderTest();

describe.each(stores)('rules changed through another process: $name', (store) => {
  let a: Db;
  let b: Db;
  let drop: () => Promise<void>;

  /** What process B's pipeline does with one methane reading: store it and detect on B's book. */
  const readOnB = async (watch: RuleBookWatch, seconds: number, value: number): Promise<AlarmChange[]> => {
    const ts = new Date(T0 + seconds * 1000);
    await new PartitionKeeper(b).ensure([ts]);
    return b.transaction(async (tx) => {
      await tx.query('INSERT INTO readings (sensor_id, ts, value) VALUES ($1, $2, $3)', ['GD-001.lel', ts, value]);
      return detect(tx, watch.book, [{ sensorId: 'GD-001.lel', indicator: 'methane_lel', ts, value }]);
    });
  };

  beforeAll(async () => {
    if (!store.available) return;
    const opened = await store.open();
    ({ db: a, drop } = opened);
    await migrate(a);
    await ensureDefaultRules(a);
    await seedDemoCity(a);
    b = opened.url ? await openPostgres(opened.url) : a;
  });
  afterAll(async () => {
    if (!store.available) return;
    if (b !== a) await b.close();
    await a.close();
    await drop();
  });

  it.skipIf(!store.available)('reloads B\'s rule book on its next check after A saved an override, and B fires on it', async () => {
    const processA = await RuleBookWatch.load(a);
    const processB = await RuleBookWatch.load(b);
    // methane-lel: level 4 from 5 %LEL. 3 %LEL fires nothing.
    expect(await readOnB(processB, 0, 3)).toEqual([]);
    expect(await processB.check()).toBe(false);

    const before = await rulesRevision(a);
    await a.transaction((tx) => changeRule(tx, 'methane-lel', { scope: 'sensor', target: 'GD-001.lel', thresholds: { 4: 2 }, recovery: 1.5, note: 'test' }, 'admin', new Date(T0)));
    expect(await rulesRevision(b)).not.toBe(before);
    expect(await processA.check()).toBe(true);
    // Until B checks, B evaluates the book it has.
    expect(await readOnB(processB, 60, 3)).toEqual([]);
    expect(await processB.check()).toBe(true);
    expect(processB.book.evaluatedRules('GD-001.lel', 'methane_lel').find((r) => r.baseId === 'methane-lel')?.thresholds[4]).toBe(2);
    const fired = await readOnB(processB, 120, 3);
    expect(fired.map((c) => [c.kind, c.sensorId, c.level])).toEqual([['open', 'GD-001.lel', 4]]);
    // Nothing changed since: the next check reads one row and reloads nothing.
    expect(await processB.check()).toBe(false);
  });
});
