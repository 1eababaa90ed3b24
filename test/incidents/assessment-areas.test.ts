// Assessment per owner unit and per area over a month in the deployment's time zone, with every
// figure computed by hand from the scripted history below (docs/incidents.md shows the same case).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assessIncidents, assessmentCsv, createIncident, periodRange, transitionIncident, type Actor, type Assessment, type IncidentAction,
} from '../../src/incidents/index.ts';
import { migrate, openPglite, type Db } from '../../src/store/index.ts';

const T0 = Date.parse('2026-11-10T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const operator: Actor = { userId: 'wang', name: '值班员 王', orgId: 'centre', orgKind: 'operator', roles: ['centre_operator'] };
const supervisor: Actor = { userId: 'zhao', name: '科长 赵', orgId: 'bureau', orgKind: 'bureau', roles: ['bureau_supervisor'] };
const unit = (orgId: string): Actor => ({ userId: `${orgId}-d`, name: orgId, orgId, orgKind: 'owner', roles: ['owner_dispatcher'] });

const square = (x: number) => ({ type: 'Polygon', coordinates: [[[x, 30], [x + 0.01, 30], [x + 0.01, 30.01], [x, 30.01], [x, 30]]] });

describe('assessment per unit and per area', () => {
  let db: Db;
  let month: Assessment;

  const open = (assetId: string, ownerId: string, when: Date) =>
    db.transaction((tx) => createIncident(tx, { kind: 'patrol', title: `patrol at ${assetId}`, level: 3, assetId, ownerId }, operator, when));
  const step = (id: string, action: IncidentAction, actor: Actor, minute: number, reason: string | null = null) =>
    db.transaction((tx) => transitionIncident(tx, id, action, actor, { reason }, at(minute)));
  /** verify, dispatch, accept, arrive, dispose at the given minutes after T0. */
  const runTo = async (id: string, ownerId: string, [verify, dispatch, accept, arrive, dispose]: number[]) => {
    await step(id, 'verify', operator, verify!);
    await step(id, 'dispatch', operator, dispatch!);
    await step(id, 'accept', unit(ownerId), accept!);
    await step(id, 'arrive', unit(ownerId), arrive!);
    await step(id, 'dispose', unit(ownerId), dispose!, '已处置');
  };

  beforeAll(async () => {
    db = await openPglite(null);
    await migrate(db);
    await db.query(`INSERT INTO organisations (id, name, kind) VALUES ('gas-co', '燃气公司', 'owner'), ('water-co', '自来水公司', 'owner'),
      ('centre', '监测中心', 'operator'), ('bureau', '住建局', 'bureau')`);
    for (const [id, name, kind, x] of [['D1', '东片区', 'district', 112], ['D2', '西片区', 'district', 112.01], ['B1', '区块 1', 'block', 112], ['Z1', '治理分区 1', 'zone', 112]] as const) {
      await db.query('INSERT INTO areas (id, name, kind, geometry, min_lon, min_lat, max_lon, max_lat) VALUES ($1, $2, $3, $4, $5, 30, $6, 30.01)', [id, name, kind, JSON.stringify(square(x)), x, x + 0.01]);
    }
    for (const [id, network, owner] of [['G1', 'gas', 'gas-co'], ['G2', 'gas', 'gas-co'], ['W1', 'water', 'water-co'], ['W2', 'water', 'water-co']] as const) {
      await db.query(`INSERT INTO assets (id, name, network, asset_type, owner_id, geometry, min_lon, min_lat, max_lon, max_lat)
        VALUES ($1, $1, $2, 'pipe', $3, '{"type":"Point","coordinates":[112.005,30.005]}', 112.005, 30.005, 112.005, 30.005)`, [id, network, owner]);
    }
    // G1: D1, B1, Z1; G2: D2, Z1; W1: D1 only; W2: no area.
    for (const [asset, area] of [['G1', 'D1'], ['G1', 'B1'], ['G1', 'Z1'], ['G2', 'D2'], ['G2', 'Z1'], ['W1', 'D1']]) {
      await db.query('INSERT INTO asset_areas (asset_id, area_id) VALUES ($1, $2)', [asset, area]);
    }

    const i1 = await open('G1', 'gas-co', at(0)); // disposed on time and closed
    await runTo(i1, 'gas-co', [10, 20, 30, 60, 300]);
    await step(i1, 'close', operator, 320);
    const i2 = await open('G2', 'gas-co', at(0)); // disposed late, closed, reopened
    await runTo(i2, 'gas-co', [30, 40, 50, 100, 700]);
    await step(i2, 'close', operator, 720);
    await step(i2, 'reopen', supervisor, 800, '复查仍有异味');
    const i3 = await open('W1', 'water-co', at(0)); // a false alarm
    await step(i3, 'reject', operator, 15, '误报');
    const i4 = await open('W1', 'water-co', at(0)); // disposed on time, awaiting review
    await runTo(i4, 'water-co', [20, 50, 60, 120, 1000]);
    const i5 = await open('W2', 'water-co', at(0)); // verified only, at an asset in no area
    await step(i5, 'verify', operator, 5);
    await open('G1', 'gas-co', new Date('2026-10-31T16:30:00Z')); // 1 November 00:30 in Shanghai: in the month
    await open('G1', 'gas-co', new Date('2026-10-31T15:30:00Z')); // 31 October 23:30 in Shanghai: not
    const { from, to } = periodRange('2026-11', 'Asia/Shanghai')!;
    month = await assessIncidents(db, from, to);
  });
  afterAll(async () => db?.close());

  it('resolves a month, a quarter, a year and a day in the deployment time zone', () => {
    expect(periodRange('2026-11', 'Asia/Shanghai')).toEqual({ from: new Date('2026-10-31T16:00:00Z'), to: new Date('2026-11-30T16:00:00Z') });
    expect(periodRange('2026-Q4', 'Asia/Shanghai')).toEqual({ from: new Date('2026-09-30T16:00:00Z'), to: new Date('2026-12-31T16:00:00Z') });
    expect(periodRange('2026', 'UTC')).toEqual({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') });
    expect(periodRange('2026-12-31', 'Asia/Shanghai')).toEqual({ from: new Date('2026-12-30T16:00:00Z'), to: new Date('2026-12-31T16:00:00Z') });
    expect(periodRange('2026-13', 'Asia/Shanghai')).toBeNull();
  });

  it('uses the disposal deadline of the incident type: a gas leak at level 3 is due 8 h after arrival', async () => {
    const [row] = await db.query<{ deadlines: Record<string, string>; incident_type: string }>("SELECT deadlines, incident_type FROM incidents WHERE asset_id = 'G1' ORDER BY id LIMIT 1");
    expect(row).toEqual({ incident_type: 'gas_leak', deadlines: expect.objectContaining({ dispose: at(60 + 480).toISOString() }) });
  });

  it('computes the figures of each owner unit', () => {
    expect(month.units).toEqual([
      {
        ownerId: 'gas-co', ownerName: '燃气公司', incidents: 3, closed: 1, closureRate: 0.3333, falseAlarmRate: 0, disposed: 2, onTimeDisposalRate: 0.5,
        meanMinutesToVerify: 20, meanMinutesToDispatch: 30, meanMinutesToDispose: 500, reopenRate: 0.5, escalations: 0,
      },
      {
        ownerId: 'water-co', ownerName: '自来水公司', incidents: 3, closed: 0, closureRate: 0, falseAlarmRate: 0.3333, disposed: 1, onTimeDisposalRate: 1,
        meanMinutesToVerify: 12.5, meanMinutesToDispatch: 50, meanMinutesToDispose: 1000, reopenRate: null, escalations: 0,
      },
    ]);
    expect(month.total).toMatchObject({
      incidents: 6, closed: 1, closureRate: 0.2, falseAlarmRate: 0.1667, disposed: 3, onTimeDisposalRate: 0.6667,
      meanMinutesToVerify: 16.3, meanMinutesToDispatch: 36.7, meanMinutesToDispose: 666.7, reopenRate: 0.5,
    });
  });

  it('computes the figures of each district, block and zone from the areas of the incidents\' assets', () => {
    const figures = (areaId: string | null) => month.areas.find((a) => a.areaId === areaId);
    expect(month.areas.map((a) => [a.areaKind, a.areaId, a.incidents])).toEqual([
      ['district', 'D1', 4], ['district', 'D2', 1], ['block', 'B1', 2], ['zone', 'Z1', 3], [null, null, 1],
    ]);
    expect(figures('D1')).toEqual({
      areaId: 'D1', areaName: '东片区', areaKind: 'district', incidents: 4, closed: 1, closureRate: 0.3333, falseAlarmRate: 0.25, disposed: 2,
      onTimeDisposalRate: 1, meanMinutesToVerify: 15, meanMinutesToDispatch: 35, meanMinutesToDispose: 650, reopenRate: 0, escalations: 0,
    });
    expect(figures('D2')).toMatchObject({ incidents: 1, closed: 0, closureRate: 0, disposed: 1, onTimeDisposalRate: 0, meanMinutesToDispose: 700, reopenRate: 1 });
    expect(figures('B1')).toMatchObject({ incidents: 2, closed: 1, closureRate: 0.5, onTimeDisposalRate: 1, meanMinutesToVerify: 10, reopenRate: 0 });
    // Z1 holds both gas assets: the gas company's figures.
    const { ownerId: _o, ownerName: _n, ...gas } = month.units[0]!;
    expect(figures('Z1')).toEqual({ areaId: 'Z1', areaName: '治理分区 1', areaKind: 'zone', ...gas });
    expect(figures(null)).toMatchObject({ incidents: 1, closureRate: 0, onTimeDisposalRate: null, meanMinutesToVerify: 5, meanMinutesToDispatch: null });
  });

  it('scopes to one owner unit, areas included', async () => {
    const { from, to } = periodRange('2026-11', 'Asia/Shanghai')!;
    const water = await assessIncidents(db, from, to, 'water-co');
    expect(water.units.map((u) => u.ownerId)).toEqual(['water-co']);
    expect(water.areas.map((a) => [a.areaId, a.incidents])).toEqual([['D1', 2], [null, 1]]);
  });

  it('exports one CSV row per area with the unplaced and total rows', () => {
    const lines = assessmentCsv(month, 'area').replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('from,to,areaId,areaName,areaKind,incidents,closed,closureRate,falseAlarmRate,disposed,onTimeDisposalRate,meanMinutesToVerify,meanMinutesToDispatch,meanMinutesToDispose,reopenRate,escalations');
    expect(lines[1]).toBe('2026-10-31T16:00:00.000Z,2026-11-30T16:00:00.000Z,D1,东片区,district,4,1,0.3333,0.25,2,1,15,35,650,0,0');
    expect(lines.at(-2)).toMatch(/^[^,]+,[^,]+,none,,,1,0,0,0,0,,5,,,,0$/);
    expect(lines.at(-1)).toMatch(/,total,,,6,1,0.2,0.1667,3,0.6667,16.3,36.7,666.7,0.5,0$/);
  });
});
