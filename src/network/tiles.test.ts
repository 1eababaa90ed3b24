// Vector tiles of the network model: what each zoom carries, and tile sizes of the city-scale preset.
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';
import { generateCity } from '../sim/generator.ts';
import { PRESETS } from '../sim/presets/index.ts';
import { isMain, NetworkTiles, TILE_MAX_ZOOM } from './tiles.ts';
import type { Asset, Position } from './types.ts';

const at = (x: number, y: number): Position => [112.2 + x * 0.001, 30.3 + y * 0.001];
const pipe = (id: string, a: Position, b: Position, attributes: Record<string, unknown>): Asset =>
  ({ id, name: id, network: 'gas', assetType: 'pipe', ownerId: 'o', geometry: { type: 'LineString', coordinates: [a, b] }, attributes });
const node = (id: string, assetType: string, p: Position): Asset =>
  ({ id, name: id, network: 'gas', assetType, ownerId: 'o', geometry: { type: 'Point', coordinates: p }, attributes: {} });

/** Tile x/y holding a lon/lat at zoom z. */
function tileOf([lon, lat]: Position, z: number): [number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return [x, y];
}

function decode(bytes: Uint8Array | null): Record<string, { id: string; main: number; type: number }[]> {
  if (!bytes) return {};
  const tile = new VectorTile(new PbfReader(bytes));
  return Object.fromEntries(Object.entries(tile.layers).map(([name, layer]) => [
    name,
    Array.from({ length: layer.length }, (_, i) => {
      const f = layer.feature(i);
      return { id: String(f.properties.id), main: Number(f.properties.main), type: f.type };
    }),
  ]));
}

describe('network vector tiles', () => {
  // A long 300 mm main, a long 110 mm service pipe, a station and a valve.
  const assets: Asset[] = [
    pipe('MAIN', at(0, 0), at(20, 0), { pressureClass: 'medium-A', diameterMm: 300 }),
    pipe('SERVICE', at(0, 5), at(20, 5), { pressureClass: 'low', diameterMm: 110 }),
    node('STATION', 'regulator_station', at(0, 0)),
    node('V1', 'valve', at(10, 0)),
    { ...pipe('OLD', at(0, 8), at(20, 8), { diameterMm: 500 }), status: 'abandoned' },
  ];
  const tiles = new NetworkTiles(assets, 'v1');
  const ids = (z: number) => {
    const [x, y] = tileOf(at(10, 0), z);
    const layers = decode(tiles.tile(z, x, y));
    const key = (f: { id: string; type: number }) => (f.id === 'undefined' ? `${f.type === 1 ? 'node' : 'pipe'} without id` : f.id);
    return { pipes: (layers.pipes ?? []).map(key).sort(), nodes: (layers.nodes ?? []).map(key).sort() };
  };

  it('classifies mains and facilities', () => {
    expect(assets.map(isMain)).toEqual([true, false, true, false, true]);
  });

  it('keeps only mains and facilities, without ids, at city zoom', () => {
    expect(ids(10)).toEqual({ pipes: ['pipe without id'], nodes: ['node without id'] });
  });

  it('adds every pipe from zoom 12 and every node from zoom 14, never an abandoned asset', () => {
    expect(ids(12)).toEqual({ pipes: ['MAIN', 'SERVICE'], nodes: ['STATION'] });
    expect(ids(14)).toEqual({ pipes: ['MAIN', 'SERVICE'], nodes: ['STATION', 'V1'] });
  });

  it('reports bounds and answers null for an empty tile, RangeError outside the pyramid', () => {
    expect(tiles.info.bounds).toEqual([...at(0, 0), ...at(20, 8)]);
    expect(tiles.info.version).toBe('v1');
    expect(tiles.tile(14, 0, 0)).toBeNull();
    expect(() => tiles.tile(TILE_MAX_ZOOM + 1, 0, 0)).toThrow(RangeError);
    expect(() => tiles.tile(3, 8, 0)).toThrow(RangeError);
  });

  it('cuts the jingzhou city into small tiles at city zoom', () => {
    const { model } = generateCity(PRESETS.jingzhou, 1);
    const started = performance.now();
    const city = new NetworkTiles(model.assets);
    const buildMs = performance.now() - started;
    const [minLon, minLat, maxLon, maxLat] = city.info.bounds!;
    for (const z of [11, 12]) {
    const [x0, y0] = tileOf([minLon, maxLat], z);
    const [x1, y1] = tileOf([maxLon, minLat], z);
    let bytes = 0;
    let largest = 0;
    let features = 0;
    let count = 0;
    const t = performance.now();
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        const tile = city.tile(z, x, y);
        if (!tile) continue;
        count++;
        bytes += tile.length;
        largest = Math.max(largest, tile.length);
        features += Object.values(decode(tile)).reduce((n, l) => n + l.length, 0);
      }
    }
    const cutMs = performance.now() - t;
    console.log(JSON.stringify({ assets: model.assets.length, buildMs: Math.round(buildMs), z, tiles: count, kB: Math.round(bytes / 1024), largestKB: Math.round(largest / 1024), features, cutMs: Math.round(cutMs) }));
    expect(count).toBeGreaterThan(1);
    expect(features).toBeGreaterThan(1000);
    expect(largest).toBeLessThan(512 * 1024);
    }
  });
});
