// Resident memory of a platform holding a preset city before and after its network twin is
// loaded by the network routes and then by the analysis routes (which share one twin). Prints one
// JSON object; heap figures after a forced GC (run with --expose-gc).
//   node --expose-gc --import tsx bench/twin-memory.ts [--preset jingzhou] [--seed 1]
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startCityPlatform } from '../test/e2e/city-platform.ts';
import type { PresetName } from '../src/sim/presets/index.ts';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'jingzhou' }, seed: { type: 'string', default: '1' } } });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx');

const mb = (bytes: number) => Math.round(bytes / 1048576);
function memory() {
  gc!();
  const m = process.memoryUsage();
  return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed) };
}

const { platform, dataDir } = await startCityPlatform(values.preset as PresetName, Number(values.seed));
try {
  const headers = { authorization: `Bearer ${await platform.login('admin')}` };
  const get = async (route: string) => {
    const res = await fetch(`${platform.url}${route}`, { headers });
    if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  const before = memory();
  const [first] = (await get('/api/network/nearest?lon=112.24&lat=30.33&k=1')) as { assetId: string }[];
  const afterNetwork = memory();
  await get(`/api/analysis/assets/${encodeURIComponent(first!.assetId)}`);
  const afterAnalysis = memory();
  console.log(JSON.stringify({
    preset: values.preset, seed: Number(values.seed), before, afterNetworkRoutes: afterNetwork, afterAnalysisRoutes: afterAnalysis,
    twinHeapMB: afterNetwork.heapUsedMB - before.heapUsedMB, analysisExtraHeapMB: afterAnalysis.heapUsedMB - afterNetwork.heapUsedMB,
  }));
} finally {
  await platform.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
