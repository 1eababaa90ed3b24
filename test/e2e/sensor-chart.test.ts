// End to end through a real browser: readings published over MQTT appear in the sensor card's
// history chart, raw for the last hour and as hourly rollups for 30 days; a live reading refreshes
// the chart; the range buttons work by keyboard.
import path from 'node:path';
import { connectAsync } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SensorDto } from '../../src/api/dto.ts';
import type { Platform } from '../../src/platform/index.ts';
import en from '../../web/src/i18n/en.json' with { type: 'json' };
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { type DemoInBrowser, openDemoInBrowser, OUTPUT_DIR } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';

const chromium = await chromiumService();

const DEVICE = 'GD-001';
const SENSOR = `${DEVICE}.lel`;
const MINUTE = 60_000;

describe.skipIf(!chromium.available)('sensor history chart in a browser', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let token = '';
  let app: DemoInBrowser | undefined;
  let pageErrors: string[] = [];

  async function publish(readings: { ts: Date; lel: number }[]) {
    // Devices log in with their id and secret (the demo devices' logins come from the platform).
    const client = await connectAsync(platform!.mqttUrl, { ...platform!.deviceCredentials(DEVICE), clientId: `lifeline-e2e-chart-${process.pid}` });
    try {
      for (const r of readings) {
        await client.publishAsync(
          `${platform!.topicPrefix}/devices/${DEVICE}/up`,
          JSON.stringify({ ts: r.ts.toISOString(), values: { lel: r.lel } }),
          { qos: 1 },
        );
      }
    } finally {
      await client.endAsync();
    }
  }

  const chart = () => page.locator('[data-testid="sensor-card"] [data-testid="sensor-chart"]');

  beforeAll(async () => {
    app = await openDemoInBrowser({ locale: 'zh-CN' });
    ({ platform, browser, page, pageErrors } = app);
    token = app.token!;
  }, 120_000);

  afterAll(() => app?.stop());

  it('draws the readings of the last hour raw, and hourly rollups for 30 days', async () => {
    // Five readings in the last hour, below every threshold (the sensor stays normal).
    const now = Date.now();
    const values = [0.4, 1.2, 0.8, 2.5, 1.6];
    await publish(values.map((lel, i) => ({ ts: new Date(now - (50 - i * 10) * MINUTE), lel })));

    // Wait until the live socket has made the sensor normal on the map, then click it there.
    await page.waitForFunction(
      (id) => window.lifelineMap?.querySourceFeatures('sensors').find((f) => f.properties.id === id)?.properties.state === 'normal',
      SENSOR,
      { timeout: 60_000 },
    );
    const sensors = (await (await fetch(`${platform!.url}/api/sensors`, { headers: { authorization: `Bearer ${token}` } })).json()) as SensorDto[];
    const sensor = sensors.find((s) => s.id === SENSOR)!;
    const at = await page.evaluate((location) => {
      const map = window.lifelineMap!;
      const p = map.project(location);
      const rect = map.getCanvas().getBoundingClientRect();
      return { x: rect.left + p.x, y: rect.top + p.y };
    }, sensor.location);
    await page.mouse.click(at.x, at.y);
    await page.locator(`[data-testid="sensor-card"][data-sensor-id="${SENSOR}"]`).waitFor({ timeout: 10_000 });

    // 1 h (the default): one raw point per reading, a line and no band.
    const hour = page.locator('[data-testid="sensor-card"] [data-testid="sensor-chart"][data-range="1h"]');
    await hour.waitFor({ timeout: 10_000 });
    expect(await hour.getAttribute('data-resolution')).toBe('raw');
    expect(await hour.getAttribute('data-points')).toBe(String(values.length));
    const line = await hour.locator('[data-testid="chart-line"]').getAttribute('d');
    expect(line?.match(/[ML]/g)).toHaveLength(values.length);
    expect(await hour.locator('[data-testid="chart-band"]').count()).toBe(0);
    expect(await page.locator('[data-testid="chart-resolution"]').innerText()).toBe(zhCN.chart.resolution.raw);
    expect(await hour.locator('title').textContent()).toContain(sensor.name);
    expect(await page.getByRole('button', { name: zhCN.chart.range['1h'], exact: true }).getAttribute('aria-pressed')).toBe('true');

    // 30 d: hourly rollups holding the same five readings.
    await page.getByRole('button', { name: zhCN.chart.range['30d'], exact: true }).click();
    const month = page.locator('[data-testid="sensor-card"] [data-testid="sensor-chart"][data-range="30d"]');
    await month.waitFor({ timeout: 10_000 });
    expect(await month.getAttribute('data-resolution')).toBe('1h');
    expect(await month.getAttribute('data-readings')).toBe(String(values.length));
    const buckets = Number(await month.getAttribute('data-points'));
    expect(buckets).toBeGreaterThanOrEqual(1);
    expect(buckets).toBeLessThanOrEqual(2);
    await expect.poll(() => page.locator('[data-testid="chart-resolution"]').innerText()).toBe(zhCN.chart.resolution['1h']);
    await page.locator('[data-testid="sensor-card"]').screenshot({ path: path.join(OUTPUT_DIR, 'sensor-chart-30d.png') });

    // Back to 1 h by keyboard: focus the button, press Enter.
    await page.getByRole('button', { name: zhCN.chart.range['1h'], exact: true }).focus();
    await page.keyboard.press('Enter');
    await chart().and(page.locator('[data-range="1h"]')).waitFor({ timeout: 10_000 });
    expect(await chart().getAttribute('data-resolution')).toBe('raw');

    // A live reading refreshes the open 1 h chart (throttled to one fetch per 5 s).
    await publish([{ ts: new Date(), lel: 1.1 }]);
    await expect.poll(() => chart().getAttribute('data-points'), { timeout: 20_000, interval: 250 }).toBe(String(values.length + 1));

    await page.screenshot({ path: path.join(OUTPUT_DIR, 'sensor-chart.png') });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('says so when a range has no readings', async () => {
    // The temperature channel of the same device has never reported.
    await page.getByRole('button', { name: new RegExp(zhCN.indicator.temperature) }).click();
    await page.locator(`[data-testid="sensor-card"][data-sensor-id="${DEVICE}.temp"]`).waitFor({ timeout: 10_000 });
    const empty = page.locator('[data-testid="sensor-card"] [data-testid="chart-empty"]');
    await empty.waitFor({ timeout: 10_000 });
    expect(await empty.innerText()).toBe(zhCN.chart.empty);
    expect(pageErrors).toEqual([]);
  });

  it('speaks English after the language switch', async () => {
    // Back to the gas channel through the card's list of co-located sensors.
    await page.locator('.colocated button', { hasText: zhCN.indicator.methane_lel }).click();
    await page.locator(`[data-testid="sensor-card"][data-sensor-id="${SENSOR}"]`).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: zhCN.language.label, exact: true }).click();
    await expect.poll(() => page.locator('[data-testid="chart-resolution"]').innerText()).toBe(en.chart.resolution.raw);
    expect(await page.getByRole('button', { name: en.chart.range['1h'], exact: true }).getAttribute('aria-pressed')).toBe('true');
    expect(await chart().locator('title').textContent()).toContain(en.chart.rangeLong['1h']);
    await page.locator('[data-testid="sensor-card"]').screenshot({ path: path.join(OUTPUT_DIR, 'sensor-chart-en.png') });
    expect(pageErrors).toEqual([]);
  });
});
