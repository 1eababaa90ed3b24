// CSV with a WKT geometry column: what most utility GIS (ArcGIS, QGIS, SuperMap) export when
// asked for a table. One asset per row; the columns are the GeoJSON property names.
import { parse } from 'csv-parse/sync';
import { projector } from '../crs.ts';
import { ImportError, emptyModel, type NetworkModel } from '../model-store.ts';
import { validateAsset, type Rejection } from '../schema.ts';
import type { Geometry, Position } from '../types.ts';
import type { ParseOptions, Parsed } from './geojson.ts';

const GEOMETRY_COLUMNS = ['wkt', 'geometry', 'geom', 'the_geom', 'shape'];

/** POINT / LINESTRING / single-part MULTILINESTRING, with or without Z/M, to a GeoJSON geometry. */
export function parseWkt(wkt: string): Geometry | string {
  const m = /^\s*(POINT|LINESTRING|MULTILINESTRING)\s*(?:Z|M|ZM)?\s*\((.*)\)\s*$/is.exec(wkt);
  if (!m) return `"${wkt.slice(0, 40)}" is not WKT POINT, LINESTRING or MULTILINESTRING`;
  const type = m[1]!.toUpperCase();
  let body = m[2]!.trim();
  if (type === 'MULTILINESTRING') {
    const parts = body.split(/\)\s*,\s*\(/);
    if (parts.length !== 1) return `a MULTILINESTRING with ${parts.length} parts: split it into one row per part`;
    body = body.replace(/^\(|\)$/g, '');
  }
  const points: Position[] = [];
  for (const pair of body.split(',')) {
    const nums = pair.trim().split(/\s+/).map(Number);
    if (nums.length < 2 || nums.some((n) => !Number.isFinite(n))) return `"${pair.trim()}" is not a coordinate pair`;
    points.push([nums[0]!, nums[1]!]);
  }
  if (type === 'POINT') return points.length === 1 ? { type: 'Point', coordinates: points[0]! } : 'a POINT has one position';
  return { type: 'LineString', coordinates: points };
}

export function parseCsv(text: string, options: ParseOptions): Parsed {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, bom: true, trim: true, info: true, relax_column_count: false });
  } catch (error) {
    throw new ImportError(`not a readable CSV file: ${(error as Error).message}`);
  }
  const header = rows[0] ? Object.keys(rows[0].record) : [];
  const column = GEOMETRY_COLUMNS.find((c) => header.includes(c));
  if (rows.length > 0 && !column) throw new ImportError(`the CSV has no geometry column (one of ${GEOMETRY_COLUMNS.join(', ')}, holding WKT); columns: ${header.join(', ')}`);
  const project = options.crs ? projector(options.crs) : null;
  const model: NetworkModel = emptyModel();
  const rejected: Rejection[] = [];
  const ids = new Set<string>();
  for (const { record, info } of rows) {
    const { [column!]: wkt, ...properties } = record;
    let geometry = parseWkt(wkt ?? '');
    if (typeof geometry === 'string') {
      rejected.push({ at: info.lines, id: record.id ?? null, field: column!, reason: geometry });
      continue;
    }
    if (project) {
      geometry = geometry.type === 'Point' ? { type: 'Point', coordinates: project(geometry.coordinates) } : { type: 'LineString', coordinates: geometry.coordinates.map(project) };
    }
    const result = validateAsset(properties, geometry, { at: info.lines, owners: options.owners, ...(options.defaultOwner ? { defaultOwner: options.defaultOwner } : {}) });
    if (!result.asset) {
      rejected.push(...result.rejections);
      continue;
    }
    if (ids.has(result.asset.id)) {
      rejected.push({ at: info.lines, id: result.asset.id, field: 'id', reason: 'appears twice in the file' });
      continue;
    }
    ids.add(result.asset.id);
    model.assets.push(result.asset);
  }
  return { model, rejected };
}

function cell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function wktOf(g: Geometry): string {
  return g.type === 'Point' ? `POINT (${g.coordinates.join(' ')})` : `LINESTRING (${g.coordinates.map((p) => p.join(' ')).join(', ')})`;
}

/** Assets as CSV: fixed columns, then every attribute key in use, then the WKT geometry. */
export function toCsv(assets: NetworkModel['assets']): string {
  const keys = [...new Set(assets.flatMap((a) => Object.keys(a.attributes)))].sort();
  const head = ['id', 'name', 'network', 'assetType', 'owner', 'status', ...keys, 'wkt'];
  const lines = [head.join(',')];
  for (const a of assets) {
    lines.push([a.id, a.name, a.network, a.assetType, a.ownerId, a.status ?? 'in_service', ...keys.map((k) => a.attributes[k]), wktOf(a.geometry)].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}
