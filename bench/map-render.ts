// Browser time to the first full render of a whole preset city: a platform holding the generated
// city, headless Chromium (SwiftShader WebGL, as in the e2e tests) opening the command centre at a
// 1280×800 viewport, timed from navigation to the map's `idle` after fitting the city (every
// visible vector tile loaded and drawn: body[data-ready]). Prints one JSON object.
//   npx tsx bench/map-render.ts [--preset jingzhou] [--seed 1] [--runs 3]
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launchChromium, logIn } from '../test/support/browser.ts';
import { startCityPlatform } from '../test/e2e/city-platform.ts';
import type { PresetName } from '../src/sim/presets/index.ts';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'jingzhou' }, seed: { type: 'string', default: '1' }, runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);

const { platform, dataDir, seedMs } = await startCityPlatform(values.preset as PresetName, Number(values.seed));
const browser = await launchChromium();
try {
  // The server cuts tiles on first request; warm its model once so runs measure the browser.
  const t0 = performance.now();
  await (await fetch(`${platform.url}/api/network/tiles.json`, { headers: { authorization: `Bearer ${await platform.login('admin')}` } })).json();
  const tileSetMs = Math.round(performance.now() - t0);

  const samples: { renderMs: number; tiles: number; tileKB: number; features: number; zoom: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    await logIn(context, platform, 'admin');
    const page = await context.newPage();
    let tiles = 0;
    let bytes = 0;
    page.on('response', (response) => {
      if (!response.url().includes('/api/network/tiles/')) return;
      tiles++;
      void response.body().then((b) => (bytes += b.length), () => undefined);
    });
    const start = performance.now();
    await page.goto(platform.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 300_000 });
    const renderMs = Math.round(performance.now() - start);
    const { features, zoom } = await page.evaluate(() => {
      const map = window.lifelineMap!;
      return { features: map.queryRenderedFeatures({ layers: ['pipes', 'nodes'] }).length, zoom: map.getZoom() };
    });
    samples.push({ renderMs, tiles, tileKB: Math.round(bytes / 1024), features, zoom: Math.round(zoom * 100) / 100 });
    await context.close();
  }
  const sorted = samples.map((s) => s.renderMs).sort((a, b) => a - b);
  console.log(JSON.stringify({
    bench: 'map-render', preset: values.preset, seed: Number(values.seed), viewport: '1280x800', browser: 'chromium headless (SwiftShader)',
    seedMs, tileSetMs, firstRenderMs: samples[0]!.renderMs, medianRenderMs: sorted[Math.floor(sorted.length / 2)], runs: samples,
  }));
} finally {
  await browser.close();
  await platform.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
