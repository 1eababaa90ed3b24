// The inspection and findings SQL on both stores (PGlite and PostgreSQL 15): import, listings by
// campaign, segment and area, campaign counts, defects, findings with a work order.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFinding, createWorkOrder, listFindings, transitionFinding } from '../../src/drainage/findings/index.ts';
import { importInspections, listCampaigns, listDefects, listInspections } from '../../src/drainage/inspections/index.ts';
import type { Actor } from '../../src/incidents/index.ts';
import { insertAssets, insertOrganisations, type Asset } from '../../src/network/index.ts';
import { migrate, type Db } from '../../src/store/index.ts';
import { storesUnderTest } from '../support/stores.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/inspections');
const OPERATOR: Actor = { userId: 'op', name: 'operator', orgId: 'centre', orgKind: 'operator', roles: ['centre_operator'] };
const pipe = (id: string, ownerId: string, x: number): Asset => ({
  id, name: id, network: 'drainage', assetType: 'pipe', ownerId,
  geometry: { type: 'LineString', coordinates: [[112.23 + x * 0.001, 30.33], [112.2304 + x * 0.001, 30.33]] }, attributes: {},
});

for (const store of await storesUnderTest()) {
  describe.skipIf(!store.available)(`inspections and findings on ${store.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      ({ db, drop } = await store.open());
      await migrate(db);
      await insertOrganisations(db, [{ id: 'centre', name: '中心', kind: 'operator' }, { id: 'drain-co', name: '排水', kind: 'owner' }, { id: 'sewer-co', name: '污水', kind: 'owner' }, { id: 'gas-co', name: '燃气', kind: 'owner' }]);
      await insertAssets(db, [pipe('T-P1', 'drain-co', 0), pipe('T-P2', 'drain-co', 1), pipe('T-P3', 'drain-co', 2), pipe('T-S1', 'sewer-co', 3)]);
      await db.query(`INSERT INTO areas (id, name, kind, parent_id, geometry, attributes, min_lon, min_lat, max_lon, max_lat)
                      VALUES ('D-1', 'd', 'district', NULL, '{"type":"Polygon","coordinates":[]}', '{}', 0, 0, 0, 0)`);
      await db.query(`INSERT INTO asset_areas (asset_id, area_id) VALUES ('T-P1', 'D-1')`);
    });
    afterAll(async () => {
      await db?.close();
      await drop?.();
    });

    it('imports, lists and counts', async () => {
      const report = await importInspections(db, { text: readFileSync(path.join(FIXTURES, 'good.csv'), 'utf8'), fileName: 'good.csv', campaignId: 'C1', newCampaign: { name: 'c', method: 'cctv', startedOn: '2026-10-12' } });
      expect(report).toMatchObject({ written: true, counts: { inspections: 4, defects: 9 } });
      expect((await listInspections(db, { campaignId: 'C1' })).map((i) => [i.segmentId, i.repairGrade, i.defects.length])).toEqual([['T-S1', 4, 2], ['T-P1', 3, 5], ['T-P2', 2, 2], ['T-P3', 1, 0]]);
      expect((await listInspections(db, { areaId: 'D-1' })).map((i) => i.segmentId)).toEqual(['T-P1']);
      expect((await listInspections(db, { ownerId: 'sewer-co' })).map((i) => i.segmentId)).toEqual(['T-S1']);
      const [all] = await listCampaigns(db, null);
      expect(all).toMatchObject({ id: 'C1', startedOn: '2026-10-12', segments: 4, defects: 9, structuralGrades: [1, 1, 1, 1], functionalGrades: [3, 0, 1, 0], urgent: 1 });
      expect(await listCampaigns(db, 'gas-co')).toEqual([]);
      expect((await listDefects(db, { minGrade: 4 })).map((d) => `${d.segmentId}:${d.code}`)).toEqual(['T-S1:PL']);
    });

    it('registers a finding and makes a work order of it', async () => {
      const id = await db.transaction((tx) => createFinding(tx, { kind: 'misconnection', subtype: 'sewage_into_storm', assetId: 'T-P2' }, OPERATOR, new Date(), null));
      await db.transaction((tx) => transitionFinding(tx, id, 'confirm', OPERATOR, null, new Date(), null));
      const incidentId = await db.transaction((tx) => createWorkOrder(tx, id, OPERATOR, {}, new Date(), null));
      const [finding] = await listFindings(db, { ids: [id] }, OPERATOR);
      expect(finding).toMatchObject({ status: 'remediating', incidentId, ownerId: 'drain-co', canCreateWorkOrder: false });
      const [incident] = await db.query<{ owner_id: string; asset_id: string; kind: string }>('SELECT owner_id, asset_id, kind FROM incidents WHERE id = $1', [incidentId]);
      expect(incident).toEqual({ owner_id: 'drain-co', asset_id: 'T-P2', kind: 'patrol' });
    });
  });
}
