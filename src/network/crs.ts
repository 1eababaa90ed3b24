// Declared coordinate systems → WGS84. Chinese utility GIS exports come in CGCS2000 (EPSG:4490)
// or its Gauss-Krüger 3° zones (EPSG:4513–4554), sometimes a local grid; EPANET coordinates have
// no system at all. We reproject only from a CRS the user declared, never from a guess.
import proj4 from 'proj4';
import { ImportError } from './model-store.ts';
import type { Position } from './types.ts';

const IDENTITY = new Set(['EPSG:4326', 'EPSG:4490', 'CRS84', 'OGC:CRS84', 'WGS84']);

/** proj4 definition of a supported EPSG code, or null. CGCS2000 uses GRS80, equal to WGS84 at survey scale. */
function epsgDefinition(code: number): string | null {
  const gk = (lon0: number, x0: number) => `+proj=tmerc +lat_0=0 +lon_0=${lon0} +k=1 +x_0=${x0} +y_0=0 +ellps=GRS80 +units=m +no_defs`;
  // CGCS2000 / 3-degree Gauss-Kruger zone 25 (CM 75°E) … zone 45 (CM 135°E), zone number in the easting.
  if (code >= 4513 && code <= 4533) {
    const zone = code - 4488;
    return gk(zone * 3, zone * 1_000_000 + 500_000);
  }
  // CGCS2000 / 3-degree Gauss-Kruger CM 75°E … 135°E, no zone prefix.
  if (code >= 4534 && code <= 4554) return gk(75 + (code - 4534) * 3, 500_000);
  if (code >= 32601 && code <= 32660) return `+proj=utm +zone=${code - 32600} +datum=WGS84 +units=m +no_defs`;
  if (code >= 32701 && code <= 32760) return `+proj=utm +zone=${code - 32700} +south +datum=WGS84 +units=m +no_defs`;
  if (code === 3857) return '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs';
  return null;
}

export const CRS_HELP = 'EPSG:4326, EPSG:4490 (CGCS2000), EPSG:4513–4554 (CGCS2000 Gauss-Krüger 3°), EPSG:326xx/327xx (UTM), EPSG:3857, local:<lon>,<lat>[,<metres per unit>] or a proj4 string';

/** A function taking [x, y] in `crs` to WGS84 [lon, lat]; identity for WGS84 and CGCS2000 geographic. */
export function projector(crs: string): (p: Position) => Position {
  const name = crs.trim().replace(/^urn:ogc:def:crs:EPSG::?/i, 'EPSG:').replace(/^urn:ogc:def:crs:OGC:1\.3:CRS84$/i, 'CRS84').toUpperCase();
  if (IDENTITY.has(name)) return (p) => [p[0], p[1]];
  if (/GCJ|BD-?09/.test(name)) {
    throw new ImportError(`--crs ${crs}: GCJ-02 and BD-09 are obfuscated web-map systems with no published transform; export the data in WGS84 or CGCS2000`);
  }
  let definition: string | null = null;
  let scale = 1;
  const local = /^LOCAL:\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*(?:,\s*([\d.]+))?$/.exec(name);
  const epsg = /^EPSG:(\d+)$/.exec(name);
  if (local) {
    definition = `+proj=tmerc +lat_0=${local[2]} +lon_0=${local[1]} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs`;
    scale = local[3] ? Number(local[3]) : 1;
  } else if (epsg) definition = epsgDefinition(Number(epsg[1]));
  else if (crs.trim().startsWith('+proj=')) definition = crs.trim();
  if (!definition) throw new ImportError(`--crs ${crs}: not a coordinate system Lifeline knows; use ${CRS_HELP}`);
  let converter: proj4.Converter;
  try {
    converter = proj4(definition, 'EPSG:4326');
  } catch (error) {
    throw new ImportError(`--crs ${crs}: ${(error as Error).message}`);
  }
  return ([x, y]) => {
    const [lon, lat] = converter.forward([x * scale, y * scale]) as [number, number];
    return [Math.round(lon * 1e8) / 1e8, Math.round(lat * 1e8) / 1e8];
  };
}
