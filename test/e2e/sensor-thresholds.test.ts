// The sensor chart draws the thresholds of the rules in force (GET /api/sensors/:id/rules) as
// dashed lines in their level's colour, only where they fall inside the chart's value range.
import path from 'node:path';
import { connectAsync } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SensorDto, ThresholdRuleDto } from '../../src/api/dto.ts';
import type { Platform } from '../../src/platform/index.ts';
import { LEVEL_COLORS } from '../../web/src/colors.ts';
import { type DemoInBrowser, openDemoInBrowser, OUTPUT_DIR } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';

const chromium = await chromiumService();

const DEVICE = 'GD-002';
const SENSOR = `${DEVICE}.lel`;
const MINUTE = 60_000;

describe.skipIf(!chromium.available)('threshold lines in the sensor chart', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let token = '';
  let app: DemoInBrowser | undefined;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    app = await openDemoInBrowser({ locale: 'en' });
    ({ platform, browser, page, pageErrors } = app);
    token = app.token!;
  }, 120_000);

  afterAll(() => app?.stop());

  it('draws the thresholds inside the value range as dashed lines in level colours', async () => {
    const rules = (await (await fetch(`${platform!.url}/api/sensors/${SENSOR}/rules`, { headers: { authorization: `Bearer ${token}` } })).json()) as ThresholdRuleDto[];
    const thresholds = rules.flatMap((r) => r.thresholds).sort((a, b) => a.value - b.value);
    expect(thresholds.length).toBeGreaterThanOrEqual(2);
    const [lowest, next] = [thresholds[0]!, thresholds[1]!];
    const highest = thresholds[thresholds.length - 1]!;
    // Readings from near zero to halfway between the two lowest thresholds.
    const top = (lowest.value + next.value) / 2;
    const values = [0.2, lowest.value / 2, top * 0.9, top];
    const now = Date.now();
    const client = await connectAsync(platform!.mqttUrl, { ...platform!.deviceCredentials(DEVICE), clientId: `lifeline-e2e-thresholds-${process.pid}` });
    try {
      for (const [i, lel] of values.entries()) {
        await client.publishAsync(`${platform!.topicPrefix}/devices/${DEVICE}/up`, JSON.stringify({ ts: new Date(now - (40 - i * 10) * MINUTE).toISOString(), values: { lel } }), { qos: 1 });
      }
    } finally {
      await client.endAsync();
    }
    await page.waitForFunction((id) => window.lifelineMap?.querySourceFeatures('sensors').find((f) => f.properties.id === id)?.properties.state === 'alarm', SENSOR, { timeout: 60_000 });

    const sensor = ((await (await fetch(`${platform!.url}/api/sensors`, { headers: { authorization: `Bearer ${token}` } })).json()) as SensorDto[]).find((s) => s.id === SENSOR)!;
    const at = await page.evaluate((location) => {
      const map = window.lifelineMap!;
      map.jumpTo({ center: location, zoom: 17 });
      const p = map.project(location);
      const rect = map.getCanvas().getBoundingClientRect();
      return { x: rect.left + p.x, y: rect.top + p.y };
    }, sensor.location);
    await page.mouse.click(at.x, at.y);
    const chart = page.locator(`[data-testid="sensor-card"][data-sensor-id="${SENSOR}"] [data-testid="sensor-chart"][data-points="${values.length}"]`);
    await chart.waitFor({ timeout: 30_000 });

    const line = chart.locator(`[data-testid="threshold-line"][data-level="${lowest.level}"]`);
    // A horizontal line has an empty box: Playwright calls it hidden, so wait for it in the DOM.
    await line.waitFor({ state: 'attached', timeout: 10_000 });
    expect(await line.getAttribute('stroke')).toBe(LEVEL_COLORS[lowest.level]);
    expect(await line.getAttribute('stroke-dasharray')).toBe('4 3');
    expect(Number(await line.getAttribute('data-value'))).toBe(lowest.value);
    // The line sits at its value: between the y ticks around it.
    const drawn = await chart.locator('[data-testid="threshold-line"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(drawn).toContain(lowest.value);
    if (highest.value > 2 * top) expect(drawn).not.toContain(highest.value);
    await page.locator('[data-testid="sensor-card"]').screenshot({ path: path.join(OUTPUT_DIR, 'sensor-chart-thresholds.png') });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
