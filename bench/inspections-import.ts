// Inspection import benchmark: a CSV export of `--segments` sewer segments with about 1.3 defects
// each (seeded), validated and written into PGlite (file-backed) in one transaction. Prints one
// JSON object: rows, inspections, defects, parse+validate ms, total import ms, rows per second.
//   npx tsx bench/inspections-import.ts [--segments 5000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCampaign, importInspections, loadSegments, parseInspectionCsv, STRUCTURAL_CODES, FUNCTIONAL_CODES, DEFECT_TYPES } from '../src/drainage/inspections/index.ts';
import { insertAssets, insertOrganisations, type Asset } from '../src/network/index.ts';
import { seededRandom } from '../src/sim/random.ts';
import { migrate, openPglite } from '../src/store/index.ts';

const { values } = parseArgs({ options: { segments: { type: 'string', default: '5000' } } });
const segments = Number(values.segments);
const random = seededRandom(181);
const codes = [...STRUCTURAL_CODES, ...FUNCTIONAL_CODES];

const pipes: Asset[] = Array.from({ length: segments }, (_, i) => ({
  id: `B${i}`, name: `B${i}`, network: 'drainage', assetType: 'pipe', ownerId: 'drain-co',
  geometry: { type: 'LineString', coordinates: [[112 + (i % 100) * 0.001, 30 + Math.floor(i / 100) * 0.001], [112.0005 + (i % 100) * 0.001, 30 + Math.floor(i / 100) * 0.001]] },
  attributes: { diameterMm: 600 },
}));
const lines = ['segment,date,length_m,code,grade,distance_m'];
for (const p of pipes) {
  const n = Math.floor(random() * 3.6);
  if (n === 0) lines.push(`${p.id},2026-10-12,48,,,`);
  for (let k = 0; k < n; k++) {
    const code = codes[Math.floor(random() * codes.length)]!;
    const grade = 1 + Math.floor(random() * DEFECT_TYPES[code].scores.length);
    lines.push(`${p.id},2026-10-12,48,${code},${grade},${(k * 12 + random() * 10).toFixed(1)}`);
  }
}
const text = lines.join('\n') + '\n';

const dir = mkdtempSync(path.join(tmpdir(), 'lifeline-bench-inspections-'));
try {
  const db = await openPglite(dir);
  await migrate(db);
  await insertOrganisations(db, [{ id: 'drain-co', name: '排水公司', kind: 'owner' }]);
  await insertAssets(db, pipes);
  await db.transaction((tx) => createCampaign(tx, { id: 'BENCH', name: 'bench', method: 'cctv' }).then(() => undefined));
  let t0 = performance.now();
  const segmentMap = await loadSegments(db, pipes.map((p) => p.id));
  const parsed = parseInspectionCsv(text, { segments: segmentMap, stored: new Map(), method: 'cctv', ownerScope: null });
  const parseMs = Math.round(performance.now() - t0);
  t0 = performance.now();
  const report = await importInspections(db, { text, fileName: 'bench.csv', campaignId: 'BENCH' });
  const importMs = Math.round(performance.now() - t0);
  if (!report.written || parsed.rejected.length > 0) throw new Error(`not written: ${report.error}`);
  console.log(JSON.stringify({ rows: report.counts.rows, inspections: report.counts.inspections, defects: report.counts.defects, parseMs, importMs, rowsPerSecond: Math.round(report.counts.rows / (importMs / 1000)) }));
  await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
