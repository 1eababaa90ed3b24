// Import = parse and validate everything, build the topology to report findings, then write in
// one transaction, or write nothing. Rejected features fail the import unless the caller asks
// to skip them; findings (dangling ends, flow-direction conflicts…) never do.
import path from 'node:path';
import type { Db } from '../store/index.ts';
import { parseCsv } from './formats/csv.ts';
import { parseEpanet } from './formats/epanet.ts';
import { parseGeoJson, type Parsed } from './formats/geojson.ts';
import { lengthM } from './geo.ts';
import { ImportError, loadAssets, writeModel } from './model-store.ts';
import type { Rejection } from './schema.ts';
import { NetworkTopology, type Finding } from './topology.ts';
import type { NetworkKind } from './types.ts';

export type ImportFormat = 'geojson' | 'epanet' | 'csv';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['geojson', 'epanet', 'csv'];

export function detectFormat(fileName: string, declared?: string): ImportFormat {
  if (declared) {
    if (!(IMPORT_FORMATS as readonly string[]).includes(declared)) throw new ImportError(`--format ${declared}: use one of ${IMPORT_FORMATS.join(', ')}`);
    return declared as ImportFormat;
  }
  const ext = path.extname(fileName).toLowerCase();
  if (ext === '.geojson' || ext === '.json') return 'geojson';
  if (ext === '.inp') return 'epanet';
  if (ext === '.csv') return 'csv';
  throw new ImportError(`cannot tell the format of ${path.basename(fileName)} from its extension: give --format ${IMPORT_FORMATS.join('|')} (Shapefile/GeoPackage: convert to GeoJSON or CSV with WKT first)`);
}

export interface ImportRequest {
  text: string;
  fileName: string;
  format: ImportFormat;
  crs?: string;
  owner?: string;
  mode?: 'upsert' | 'replace';
  /** Write the valid features even when some are rejected. */
  skipInvalid?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportReport {
  written: boolean;
  format: ImportFormat;
  source: string;
  counts: { assets: number; areas: number; sensors: number; healthRecords: number; byNetwork: Partial<Record<NetworkKind, { assets: number; km: number }>> };
  rejected: Rejection[];
  findings: Finding[];
  /** Why nothing was written, when it was not. */
  error?: string;
}

export async function importNetwork(db: Db, request: ImportRequest): Promise<ImportReport> {
  const owners = new Set((await db.query<{ id: string }>('SELECT id FROM organisations')).map((r) => r.id));
  const common = { owners, ...(request.crs ? { crs: request.crs } : {}) };
  let parsed: Parsed;
  if (request.format === 'epanet') {
    const defaultOwner = request.owner ?? (owners.has('water-co') ? 'water-co' : undefined);
    parsed = parseEpanet(request.text, { ...common, fileName: request.fileName, ...(defaultOwner ? { defaultOwner } : {}) });
  } else {
    const options = { ...common, ...(request.owner ? { defaultOwner: request.owner } : {}) };
    parsed = request.format === 'csv' ? parseCsv(request.text, options) : parseGeoJson(request.text, options);
  }
  const { model, rejected } = parsed;

  const byNetwork: ImportReport['counts']['byNetwork'] = {};
  for (const a of model.assets) {
    const n = (byNetwork[a.network] ??= { assets: 0, km: 0 });
    n.assets++;
    n.km += lengthM(a.geometry) / 1000;
  }
  for (const n of Object.values(byNetwork)) n.km = Math.round(n.km * 1000) / 1000;

  // Connectivity is judged against what the database already holds of the same networks.
  const findings: Finding[] = [];
  const imported = new Set(model.assets.map((a) => a.id));
  for (const network of Object.keys(byNetwork) as NetworkKind[]) {
    const kept = request.mode === 'replace' ? [] : (await loadAssets(db, { network })).filter((a) => !imported.has(a.id));
    findings.push(...new NetworkTopology(network, [...kept, ...model.assets.filter((a) => a.network === network)]).findings);
  }

  const report: ImportReport = {
    written: false, format: request.format, source: path.basename(request.fileName),
    counts: { assets: model.assets.length, areas: model.areas.length, sensors: model.sensors.length, healthRecords: model.health.length, byNetwork },
    rejected, findings,
  };
  if (rejected.length > 0 && !request.skipInvalid) {
    return { ...report, error: `${rejected.length} feature(s) rejected; nothing was written (fix them, or import with --skip-invalid to write the valid ones)` };
  }
  if (model.assets.length + model.areas.length + model.sensors.length === 0) return { ...report, error: 'the file holds nothing to import' };
  await writeModel(db, model, {
    mode: request.mode ?? 'upsert', source: report.source, format: request.format, rejected: rejected.length, findings: findings.length,
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  return { ...report, written: true };
}
