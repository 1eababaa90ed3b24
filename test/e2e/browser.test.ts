// End to end through a real browser: a reading published over MQTT becomes a level-1 alarm that
// the command centre shows in its alarm list and as a red sensor on the map.
import path from 'node:path';
import { connectAsync } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SensorDto } from '../../src/api/dto.ts';
import type { Platform } from '../../src/platform/index.ts';
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { type DemoInBrowser, openDemoInBrowser, OUTPUT_DIR } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';

const chromium = await chromiumService();

const SENSOR = 'GD-001.lel';

/** Mean colour of the (2r+1)² square of pixels around (x, y). */
function colourAround(png: PNG, x: number, y: number, r = 2): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const px = Math.round(x) + dx;
      const py = Math.round(y) + dy;
      if (px < 0 || py < 0 || px >= png.width || py >= png.height) continue;
      const i = (py * png.width + px) * 4;
      sum[0]! += png.data[i]!;
      sum[1]! += png.data[i + 1]!;
      sum[2]! += png.data[i + 2]!;
      n++;
    }
  }
  return sum.map((s) => Math.round(s / n)) as [number, number, number];
}

const isRed = ([r, g, b]: [number, number, number]) => r > 150 && r > 2 * g && r > 2 * b;

describe.skipIf(!chromium.available)('command centre in a browser', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let token = '';
  let app: DemoInBrowser | undefined;
  let pageErrors: string[] = [];
  let foreignRequests: string[] = [];

  beforeAll(async () => {
    app = await openDemoInBrowser();
    ({ platform, browser, page, pageErrors, foreignRequests } = app);
    token = app.token!;
  }, 120_000);

  afterAll(() => app?.stop());

  it('speaks Chinese for a zh-CN browser', async () => {
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('#alarms-heading').innerText()).toContain(zhCN.alarms.heading);
    expect(await page.locator('.brand-subtitle').innerText()).toBe(zhCN.app.subtitle);
  });

  it('turns an MQTT reading above the level-1 threshold into a red alarm on list and map', async () => {
    const sensors = (await (await fetch(`${platform!.url}/api/sensors`, { headers: { authorization: `Bearer ${token}` } })).json()) as SensorDto[];
    const sensor = sensors.find((s) => s.id === SENSOR);
    expect(sensor, `demo sensor ${SENSOR}`).toBeDefined();
    expect(sensor!.state).not.toBe('alarm');

    const client = await connectAsync(platform!.mqttUrl, { ...platform!.deviceCredentials('GD-001'), clientId: 'lifeline-e2e-browser' });
    try {
      await client.publishAsync(
        `${platform!.topicPrefix}/devices/GD-001/up`,
        JSON.stringify({ ts: new Date().toISOString(), values: { lel: 62 } }),
        { qos: 1 },
      );
    } finally {
      await client.endAsync();
    }

    // The alarm list, fed by the live WebSocket.
    const item = page.locator(`[data-testid="alarm-item"][data-sensor-id="${SENSOR}"][data-level="1"]`);
    await item.first().waitFor({ timeout: 60_000 });
    expect(await item.first().innerText()).toContain(zhCN.level['1']);
    expect(await item.first().innerText()).toContain('62');

    // The map's sensor feature.
    await page.waitForFunction(
      (id) => {
        const feature = window.lifelineMap?.querySourceFeatures('sensors').find((f) => f.properties.id === id);
        return feature?.properties.state === 'alarm' && feature.properties.level === 1;
      },
      SENSOR,
      { timeout: 60_000 },
    );

    // And the pixels: wait for the map to settle, then look where the sensor is drawn.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const map = window.lifelineMap!;
          map.once('idle', () => resolve());
          map.triggerRepaint();
        }),
    );
    const at = await page.evaluate((location) => {
      const map = window.lifelineMap!;
      const p = map.project(location);
      const rect = map.getCanvas().getBoundingClientRect();
      return { x: rect.left + p.x, y: rect.top + p.y };
    }, sensor!.location);

    // Poll: the screenshot may catch the frame before the repaint.
    await expect
      .poll(
        async () => {
          const shot = await page.screenshot({ path: path.join(OUTPUT_DIR, 'e2e-alarm.png') });
          return colourAround(PNG.sync.read(shot), at.x, at.y);
        },
        { timeout: 30_000, interval: 500 },
      )
      .toSatisfy(isRed);

    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  }, 120_000);
});
