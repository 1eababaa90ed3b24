// A platform holding a generated preset city (the `jingzhou` preset: 122k assets), for the
// city-scale browser test and the map render benchmark.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeModel } from '../../src/network/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { generateCity } from '../../src/sim/generator.ts';
import { PRESETS, type PresetName } from '../../src/sim/presets/index.ts';

export interface CityPlatform {
  platform: Platform;
  dataDir: string;
  /** Generation and import into PGlite, ms. */
  seedMs: number;
}

export async function startCityPlatform(preset: PresetName = 'jingzhou', seed = 1): Promise<CityPlatform> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `lifeline-city-${preset}-`));
  let seedMs = 0;
  const platform = await startPlatform({
    port: 0,
    mqttPort: 0,
    dataDir,
    demo: false,
    simulate: false,
    log: false,
    seed: async (db) => {
      const t0 = performance.now();
      const { model } = generateCity(PRESETS[preset], seed);
      await writeModel(db, model, { mode: 'upsert', source: `city generate --preset ${preset} --seed ${seed}`, format: 'generator', rejected: 0, findings: 0 });
      seedMs = Math.round(performance.now() - t0);
    },
  });
  return { platform, dataDir, seedMs };
}
