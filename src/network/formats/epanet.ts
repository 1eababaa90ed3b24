// EPANET 2.2 .inp → water assets. Nodes (junctions, reservoirs, tanks) become points, links
// (pipes, pumps, valves) lines from their start node through [VERTICES] to their end node.
// EPANET stores no coordinate system, so a CRS must always be declared.
import path from 'node:path';
import { projector } from '../crs.ts';
import { ImportError, emptyModel } from '../model-store.ts';
import { validateAsset, type Rejection } from '../schema.ts';
import type { Position } from '../types.ts';
import type { ParseOptions, Parsed } from './geojson.ts';

// Flow units decide the unit system: US customary (feet, inches) or SI (metres, millimetres).
const US_UNITS = new Set(['CFS', 'GPM', 'MGD', 'IMGD', 'AFD']);

interface Row {
  line: number;
  fields: string[];
}

export interface EpanetOptions extends ParseOptions {
  /** Prefix for asset ids (EPANET ids are only unique within one file); default: the file name. */
  prefix?: string;
  fileName: string;
}

function sections(text: string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  let current: Row[] | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/;.*$/, '').trim();
    if (!line) return;
    const header = /^\[([A-Z_]+)\]$/i.exec(line);
    if (header) {
      const name = header[1]!.toUpperCase();
      if (!out.has(name)) out.set(name, []);
      current = out.get(name)!;
      return;
    }
    current?.push({ line: i + 1, fields: line.split(/\s+/) });
  });
  return out;
}

export function parseEpanet(text: string, options: EpanetOptions): Parsed {
  const s = sections(text);
  if (!s.has('JUNCTIONS') && !s.has('PIPES')) throw new ImportError(`${options.fileName} is not an EPANET .inp file (no [JUNCTIONS] or [PIPES] section)`);
  if (!options.crs) {
    throw new ImportError('EPANET [COORDINATES] carry no coordinate system: declare it with --crs (EPSG:4326 if they are lon/lat, EPSG:4513–4554 for CGCS2000 Gauss-Krüger, local:<lon>,<lat>[,<metres per unit>] for a drawing grid)');
  }
  const project = projector(options.crs);
  const prefix = options.prefix ?? `${path.basename(options.fileName).replace(/\.[^.]*$/, '')}:`;
  const units = s.get('OPTIONS')?.find((r) => r.fields[0]?.toUpperCase() === 'UNITS')?.fields[1]?.toUpperCase() ?? 'GPM';
  const us = US_UNITS.has(units);
  const metres = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v) * (us ? 0.3048 : 1));
  const mm = (v: string | undefined) => (v === undefined ? undefined : Number(v) * (us ? 25.4 : 1));

  const coordinates = new Map<string, Position>();
  for (const { fields } of s.get('COORDINATES') ?? []) coordinates.set(fields[0]!, project([Number(fields[1]), Number(fields[2])]));
  const vertices = new Map<string, Position[]>();
  for (const { fields } of s.get('VERTICES') ?? []) {
    const list = vertices.get(fields[0]!) ?? [];
    list.push(project([Number(fields[1]), Number(fields[2])]));
    vertices.set(fields[0]!, list);
  }
  const closed = new Set((s.get('STATUS') ?? []).filter((r) => r.fields[1]?.toUpperCase() === 'CLOSED').map((r) => r.fields[0]!));

  const model = emptyModel();
  const rejected: Rejection[] = [];
  const nodeIds = new Map<string, string>();
  const add = (line: number, properties: Record<string, unknown>, geometry: unknown) => {
    const result = validateAsset(properties, geometry, { at: line, owners: options.owners, ...(options.defaultOwner ? { defaultOwner: options.defaultOwner } : {}) });
    if (result.asset) model.assets.push(result.asset);
    else rejected.push(...result.rejections);
  };
  const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !Number.isNaN(v)));

  const nodeSections: [string, string, (f: string[]) => Record<string, unknown>][] = [
    ['JUNCTIONS', 'junction', (f) => ({ elevationM: metres(f[1]), demand: f[2] !== undefined ? Number(f[2]) : undefined })],
    ['RESERVOIRS', 'reservoir', (f) => ({ headM: metres(f[1]) })],
    ['TANKS', 'tank', (f) => ({ elevationM: metres(f[1]), initLevelM: metres(f[2]), minLevelM: metres(f[3]), maxLevelM: metres(f[4]), tankDiameterM: metres(f[5]) })],
  ];
  for (const [section, assetType, attributes] of nodeSections) {
    for (const { line, fields } of s.get(section) ?? []) {
      const epanetId = fields[0]!;
      const id = `${prefix}N${epanetId}`;
      nodeIds.set(epanetId, id);
      const p = coordinates.get(epanetId);
      if (!p) {
        rejected.push({ at: line, id, field: 'coordinates', reason: `node ${epanetId} has no entry in [COORDINATES]` });
        continue;
      }
      add(line, clean({ id, name: `${assetType} ${epanetId}`, network: 'water', assetType, epanetId, ...attributes(fields) }), { type: 'Point', coordinates: p });
    }
  }
  const linkSections: [string, string, (f: string[]) => Record<string, unknown>][] = [
    ['PIPES', 'pipe', (f) => ({ lengthM: metres(f[3]), diameterMm: mm(f[4]), roughness: Number(f[5]), checkValve: f[7]?.toUpperCase() === 'CV' || undefined, operatingState: f[7]?.toUpperCase() === 'CLOSED' ? 'closed' : undefined })],
    ['PUMPS', 'pump', (f) => ({ pumpParameters: f.slice(3).join(' ') })],
    ['VALVES', 'valve', (f) => ({ diameterMm: mm(f[3]), valveType: f[4]?.toUpperCase(), setting: f[5] !== undefined ? Number(f[5]) : undefined })],
  ];
  for (const [section, assetType, attributes] of linkSections) {
    for (const { line, fields } of s.get(section) ?? []) {
      const [epanetId, n1, n2] = fields as [string, string | undefined, string | undefined];
      const id = `${prefix}L${epanetId}`;
      const ends = [n1, n2].map((n) => (n === undefined ? undefined : { node: nodeIds.get(n), at: coordinates.get(n) }));
      const missing = [n1, n2].find((n, i) => n === undefined || !ends[i]!.node);
      if (missing !== undefined || !ends[0]?.at || !ends[1]?.at) {
        rejected.push({ at: line, id, field: missing === undefined ? 'coordinates' : 'node', reason: missing === undefined ? `an end node of link ${epanetId} has no coordinates` : `link ${epanetId} names node ${missing ?? '(none)'}, which is not defined` });
        continue;
      }
      const props = clean({
        id, name: `${assetType} ${epanetId}`, network: 'water', assetType, epanetId, from: ends[0].node, to: ends[1]!.node, ...attributes(fields),
        ...(closed.has(epanetId) ? { operatingState: 'closed' } : {}),
      });
      add(line, props, { type: 'LineString', coordinates: [ends[0].at, ...(vertices.get(epanetId) ?? []), ends[1]!.at] });
    }
  }
  return { model, rejected };
}
