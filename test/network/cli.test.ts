// The network commands as a user runs them: the JSON contract of `city generate`, determinism,
// an import that reports and refuses, and the refusal while a server holds DATA_DIR.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.ts';

const bin = path.resolve(import.meta.dirname, '../../bin/lifeline.js');
const tmp = tempDir('network-cli');
afterAll(() => tmp.remove());

function lifeline(args: string[], dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  const lines = result.stdout.trim().split('\n');
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, last: lines[lines.length - 1] ?? '' };
}

const KEYS = ['gasKm', 'waterKm', 'drainageKm', 'districts', 'blocks', 'zones', 'outfalls', 'gates', 'pumpStations', 'treatmentPlants', 'riverSections', 'bridges', 'sensors'];

describe('lifeline city / import', () => {
  it('generates the small city into the database, then the same city into a file', () => {
    const data = path.join(tmp.dir, 'db');
    const intoDb = lifeline(['city', 'generate', '--preset', 'small', '--seed', '7', '--json'], data);
    expect(intoDb.status, intoDb.stderr).toBe(0);
    const summary = JSON.parse(intoDb.last) as Record<string, unknown>;
    for (const key of KEYS) expect(typeof summary[key], key).toBe('number');
    expect(summary).toMatchObject({ districts: 2, blocks: 4, zones: 10, outfalls: 14, bridges: 1 });

    const file = path.join(tmp.dir, 'small.geojson');
    const toFile = lifeline(['city', 'generate', '--preset', 'small', '--seed', '7', '--out', file, '--json'], data);
    expect(toFile.status, toFile.stderr).toBe(0);
    const { out, seconds, ...again } = JSON.parse(toFile.last) as Record<string, unknown>;
    const { out: _o, seconds: _s, ...first } = summary;
    expect(out).toBe(file);
    expect(again).toEqual(first);
    const city = JSON.parse(readFileSync(file, 'utf8')) as { features: unknown[] };
    expect(city.features.length).toBe((summary.assets as number) + (summary.sensors as number) + 1 + 2 + 4 + 10);
  }, 180_000);

  it('reports rejected features and exits 1 without writing', () => {
    const data = path.join(tmp.dir, 'bad');
    const file = path.join(tmp.dir, 'bad.geojson');
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', geometry: { type: 'Point', coordinates: [30.3, 112.2] }, properties: { id: 'X', network: 'gas', assetType: 'valve', owner: 'gas-co' } },
    ] }));
    const result = lifeline(['import', file, '--json'], data);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/rejected feature 1 \(X\): geometry: latitude 112.2 is out of range: lon\/lat swapped/);
    // the swapped coordinates, and the owner: an empty database knows no organisation yet
    expect(JSON.parse(result.last)).toMatchObject({ ok: false, written: false, rejected: 2 });
  }, 120_000);

  it('refuses to open a DATA_DIR another process holds', () => {
    const data = path.join(tmp.dir, 'held');
    mkdirSync(data, { recursive: true });
    writeFileSync(path.join(data, 'lifeline.lock'), String(process.pid), { flag: 'w' });
    const result = lifeline(['export', '--format', 'csv'], data);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`lifeline: DATA_DIR=${data}: in use by process ${process.pid} (one process per data directory); stop it, or use its API, or set another DATA_DIR`);
  }, 120_000);
});
