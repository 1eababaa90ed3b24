// The jingzhou city (122k assets) in a real browser: the whole city renders from vector tiles,
// an asset click opens its panel with its owner, valve isolation draws the valves to close, the
// 3-D view renders the networks below ground, and the areas panel zooms to a district.
// Screenshots are kept in test-output/.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetDetailDto, NearbyDto } from '../../src/api/dto.ts';
import type { Platform } from '../../src/platform/index.ts';
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { launchChromium, logIn, OUTPUT_DIR } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';
import { startCityPlatform } from './city-platform.ts';

const chromium = await chromiumService();

const idle = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const map = window.lifelineMap!;
        map.once('idle', () => resolve());
        map.triggerRepaint();
      }),
  );

/** Pixels of the screenshot that are not the map background (#0d1620) nor near it. */
function drawnPixels(png: PNG, box: { x0: number; y0: number; x1: number; y1: number }): number {
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = (y * png.width + x) * 4;
      const d = Math.abs(png.data[i]! - 0x0d) + Math.abs(png.data[i + 1]! - 0x16) + Math.abs(png.data[i + 2]! - 0x20);
      if (d > 60) n++;
    }
  }
  return n;
}

describe.skipIf(!chromium.available)('jingzhou city in a browser', () => {
  let platform: Platform | undefined;
  let dataDir = '';
  let browser: Browser | undefined;
  let page: Page;
  let token = '';
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];
  const tileResponses: { url: string; status: number }[] = [];
  let renderMs = 0;

  beforeAll(async () => {
    ({ platform, dataDir } = await startCityPlatform('jingzhou', 1));
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    token = await logIn(context, platform!);
    page = await context.newPage();
    const origin = new URL(platform.url).origin;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreignRequests.push(url);
    });
    page.on('response', (response) => {
      if (response.url().includes('/api/network/tiles/')) tileResponses.push({ url: response.url(), status: response.status() });
    });
    const t0 = performance.now();
    await page.goto(platform.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 240_000 });
    renderMs = Math.round(performance.now() - t0);
    mkdirSync(OUTPUT_DIR, { recursive: true });
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('renders the whole city from many vector tiles', async () => {
    const view = await page.evaluate(() => {
      const map = window.lifelineMap!;
      const canvas = map.getCanvas();
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      const count = (box?: [[number, number], [number, number]]) => (box ? map.queryRenderedFeatures(box, { layers: ['pipes', 'nodes'] }) : map.queryRenderedFeatures({ layers: ['pipes', 'nodes'] })).length;
      const b = map.getBounds();
      return {
        zoom: map.getZoom(),
        bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
        total: count(),
        quadrants: [count([[0, 0], [w / 2, h / 2]]), count([[w / 2, 0], [w, h / 2]]), count([[0, h / 2], [w / 2, h]]), count([[w / 2, h / 2], [w, h]])],
        networks: [...new Set(map.queryRenderedFeatures({ layers: ['pipes'] }).map((f) => f.properties.network))].sort(),
        sensors: map.querySourceFeatures('sensors').length,
      };
    });
    console.log(JSON.stringify({ renderMs, tiles: tileResponses.length, ...view }));
    // The whole city (24 × 16 km from 112.08° E, 30.26° N) is in view.
    expect(view.bounds[0]).toBeLessThan(112.081);
    expect(view.bounds[2]).toBeGreaterThan(112.08 + 24_000 / (111_320 * Math.cos((30.33 * Math.PI) / 180)) - 0.001);
    expect(view.total).toBeGreaterThan(10_000);
    for (const q of view.quadrants) expect(q).toBeGreaterThan(1000);
    expect(view.networks).toEqual(expect.arrayContaining(['drainage', 'gas', 'water']));
    expect(view.sensors).toBeGreaterThan(4000);
    const ok = tileResponses.filter((r) => r.status === 200);
    expect(new Set(ok.map((r) => r.url)).size).toBeGreaterThanOrEqual(4);
    expect(tileResponses.every((r) => r.status === 200 || r.status === 204)).toBe(true);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'city-jingzhou-2d.png') });
  });

  it('opens the asset panel of a clicked gas pipe and draws its valve isolation', async () => {
    // A gas pipe near the city centre, found through the API; zoom to its middle and click it.
    const centre = [112.08 + 0.125, 30.26 + 0.072];
    const near = (await (await fetch(`${platform!.url}/api/network/nearest?lon=${centre[0]}&lat=${centre[1]}&k=50&network=gas`, { headers: { authorization: `Bearer ${token}` } })).json()) as NearbyDto[];
    const pipeId = near.find((n) => n.assetType === 'pipe')?.assetId;
    expect(pipeId).toBeDefined();
    const detail = (await (await fetch(`${platform!.url}/api/network/assets/${pipeId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as AssetDetailDto;
    expect(detail.asset.geometry.type).toBe('LineString');
    const coords = detail.asset.geometry.coordinates as [number, number][];
    const a = coords[0]!;
    const b = coords[coords.length - 1]!;
    const middle: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];

    await page.evaluate((c) => window.lifelineMap!.jumpTo({ center: c, zoom: 18 }), middle);
    await idle(page);
    const at = await page.evaluate((c) => {
      const map = window.lifelineMap!;
      const p = map.project(c);
      const rect = map.getCanvas().getBoundingClientRect();
      return { x: rect.left + p.x, y: rect.top + p.y };
    }, middle);
    await page.mouse.click(at.x, at.y);

    const panel = page.locator(`[data-testid="asset-panel"][data-asset-id="${pipeId}"]`);
    await panel.waitFor({ timeout: 30_000 });
    const owner = panel.locator('[data-testid="asset-owner"]');
    await owner.waitFor({ timeout: 30_000 });
    expect(await owner.innerText()).toBe(detail.asset.properties.ownerName);
    expect(detail.asset.properties.ownerName).toMatch(/燃气/);
    expect(await panel.innerText()).toContain(zhCN.assetType.pipe);
    // Its areas by name: a district and a block of the generated city.
    expect((await panel.locator('[data-testid="asset-areas"]').innerText()).length).toBeGreaterThan(2);

    await panel.locator('[data-testid="asset-isolate"]').click();
    const result = panel.locator('[data-testid="isolation-result"]');
    await result.waitFor({ timeout: 60_000 });
    const valves = Number(await result.getAttribute('data-valves'));
    expect(valves).toBeGreaterThan(0);
    expect(await result.innerText()).toContain(zhCN.asset.isolation.valves.replace('{{count}}', String(valves)));

    // The valves to close are drawn: zoom out so the whole segment is in view.
    await page.evaluate((c) => window.lifelineMap!.jumpTo({ center: c, zoom: 16 }), middle);
    await idle(page);
    const drawn = await page.evaluate(() => {
      const map = window.lifelineMap!;
      const features = map.querySourceFeatures('highlight');
      const rendered = map.queryRenderedFeatures({ layers: ['highlight-points', 'highlight-lines'] });
      return {
        // A GeoJSON source is tiled too: a feature may come back once per tile.
        valves: new Set(features.filter((f) => f.properties.role === 'valve').map((f) => f.properties.id)).size,
        renderedValves: rendered.filter((f) => f.properties.role === 'valve').length,
        renderedSegment: rendered.filter((f) => f.properties.role === 'segment' || f.properties.role === 'selected').length,
      };
    });
    expect(drawn.valves).toBe(valves);
    expect(drawn.renderedValves).toBeGreaterThan(0);
    expect(drawn.renderedSegment).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'city-isolation.png') });

    // Trace downstream: counted and drawn.
    await panel.locator('[data-testid="asset-trace-downstream"]').click();
    const trace = panel.locator('[data-testid="trace-result"][data-direction="downstream"]');
    await trace.waitFor({ timeout: 60_000 });
    expect(Number(await trace.getAttribute('data-count'))).toBeGreaterThanOrEqual(0);
  }, 180_000);

  it('shows the networks in 3-D below the ground', async () => {
    await page.locator('[data-testid="asset-panel"] button.close').click();
    await page.evaluate(() => window.lifelineMap!.jumpTo({ center: [112.08 + 0.125, 30.26 + 0.072], zoom: 14.5 }));
    await idle(page);
    await page.locator('[data-testid="view-3d-toggle"]').click();
    await page.waitForSelector('.map[data-view="3d"] [data-view3d="ready"], .map[data-view3d="ready"]', { timeout: 120_000 });
    await idle(page);
    const state = await page.evaluate(() => {
      const map = window.lifelineMap!;
      const container = map.getContainer();
      return { pitch: map.getPitch(), assets: Number(container.dataset.view3dAssets), canvases: container.querySelectorAll('canvas').length };
    });
    expect(state.pitch).toBeGreaterThan(45);
    expect(state.assets).toBeGreaterThan(1000);
    expect(state.canvases).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-testid="view-3d-info"]').innerText()).toMatch(/×\d+/);
    // deck.gl draws after the map's idle: poll the screenshot until the 3-D pipes show.
    const box = { x0: 0, y0: 60, x1: 900, y1: 700 };
    await expect
      .poll(async () => drawnPixels(PNG.sync.read(await page.screenshot({ path: path.join(OUTPUT_DIR, 'city-3d.png') })), box), { timeout: 60_000, interval: 1000 })
      .toBeGreaterThan(20_000);

    await page.locator('[data-testid="view-3d-toggle"]').click();
    await page.waitForSelector('.map[data-view="2d"]');
    expect(await page.evaluate(() => window.lifelineMap!.getPitch())).toBe(0);
  }, 180_000);

  it('lists districts with counts and zooms to one', async () => {
    const rows = page.locator('[data-testid="area-row"]');
    await rows.first().waitFor({ timeout: 30_000 });
    expect(await rows.count()).toBe(6);
    const first = rows.first();
    const areaId = await first.getAttribute('data-area-id');
    await first.click();
    await page.waitForFunction((id) => {
      const map = window.lifelineMap!;
      const filter = JSON.stringify(map.getFilter('area-selected'));
      return filter.includes(`"${id}"`) && !map.isMoving();
    }, areaId, { timeout: 30_000 });
    await idle(page);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'city-district.png') });
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  }, 120_000);
});
