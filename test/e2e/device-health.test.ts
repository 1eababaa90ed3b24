// End to end through a real browser: battery and signal published over MQTT by two NB-IoT level
// gauges show up in the side panel's device-health section: DL-002 (14 %, -109 dBm) among the
// devices needing attention as low battery, DL-001 (76 %, -92 dBm) only in the "ok" count; a
// click on a device locates its first sensor; the ingest line shows the pipeline's counters.
import path from 'node:path';
import { connectAsync } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceHealthDto, SensorDto } from '../../src/api/dto.ts';
import type { Platform } from '../../src/platform/index.ts';
import en from '../../web/src/i18n/en.json' with { type: 'json' };
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { USERS } from '../support/api.ts';
import { type BrowserStage, logIn, openApp, OUTPUT_DIR, startBrowserStage } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';
import { getJson, waitFor } from '../support/wait.ts';

const chromium = await chromiumService();

const STATUS_ORDER: DeviceHealthDto['status'][] = ['offline', 'low_battery', 'weak_signal', 'silent', 'ok'];

describe.skipIf(!chromium.available)('device health in a browser', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let stage: BrowserStage | undefined;
  let page: Page;
  let token = '';
  let health: DeviceHealthDto[];
  let pageErrors: string[] = [];

  const get = <T,>(route: string): Promise<T> => getJson<T>(`${platform!.url}${route}`, token);

  async function publish(deviceId: string, values: Record<string, number>) {
    // Each device logs in as itself; its login only lets it publish under its own topic.
    const client = await connectAsync(platform!.mqttUrl, { ...platform!.deviceCredentials(deviceId), clientId: `lifeline-e2e-health-${deviceId}-${process.pid}` });
    try {
      await client.publishAsync(`${platform!.topicPrefix}/devices/${deviceId}/up`, JSON.stringify({ values }), { qos: 1 });
    } finally {
      await client.endAsync();
    }
  }

  beforeAll(async () => {
    ({ platform, browser } = stage = await startBrowserStage('health'));
    token = await platform.login(USERS.operator);
    await publish('DL-002', { battery: 14, rssi: -109 });
    await publish('DL-001', { battery: 76, rssi: -92 });
    // QoS 1 is acknowledged on receipt; wait until both are committed before the page first loads.
    health = await waitFor('DL-001 and DL-002 health in the API', async () => {
      const rows = await get<DeviceHealthDto[]>('/api/devices/health');
      const ready = rows.find((d) => d.id === 'DL-002')?.battery === 14 && rows.find((d) => d.id === 'DL-001')?.battery === 76;
      return ready ? rows : undefined;
    }, 30_000);

    ({ page, pageErrors } = await openApp(browser, platform, { viewport: { width: 1280, height: 900 } }));
  }, 120_000);

  afterAll(async () => {
    await stage?.stop();
  });

  it('the API reports DL-002 as low battery and DL-001 as ok', () => {
    expect(health.find((d) => d.id === 'DL-002')).toMatchObject({ battery: 14, signal: -109, status: 'low_battery' });
    expect(health.find((d) => d.id === 'DL-001')).toMatchObject({ battery: 76, signal: -92, status: 'ok' });
  });

  it('lists DL-002 as low battery with 14 % and -109 dBm, counts DL-001 as ok, worst first', async () => {
    const section = page.locator('[data-testid="device-health"]');
    const summary = section.locator('summary');
    expect(await summary.innerText()).toContain(zhCN.deviceHealth.heading);
    // Collapsed at first: the list is not shown until the section is opened.
    expect(await section.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    await summary.click();
    expect(await section.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);

    // Counts by status, as the API gives them.
    const chips = section.getByRole('list', { name: zhCN.deviceHealth.byStatus });
    await chips.waitFor({ timeout: 30_000 });
    for (const status of STATUS_ORDER) {
      const chip = chips.locator(`[data-testid="health-count"][data-status="${status}"]`);
      const expected = health.filter((d) => d.status === status).length;
      expect(await chip.getAttribute('data-count'), status).toBe(String(expected));
      expect(await chip.innerText()).toBe(`${zhCN.deviceHealth.status[status]} ${expected}`);
    }
    const okChip = chips.locator('[data-testid="health-count"][data-status="ok"]');
    expect(Number(await okChip.getAttribute('data-count'))).toBeGreaterThanOrEqual(1);

    // The devices needing attention: a list of buttons, DL-002 among them, DL-001 not.
    const list = section.getByRole('list', { name: zhCN.deviceHealth.attention });
    const dl002 = list.locator('[data-testid="device-health-item"][data-device-id="DL-002"]');
    await dl002.waitFor({ timeout: 30_000 });
    expect(await dl002.getAttribute('data-status')).toBe('low_battery');
    const text = await dl002.innerText();
    expect(text).toContain(zhCN.deviceHealth.status.low_battery);
    expect(text).toContain('14 %');
    expect(text).toContain('-109 dBm');
    expect(await dl002.locator('[data-testid="battery"]').innerText()).toContain('14 %');
    expect(await dl002.locator('[data-testid="signal"]').innerText()).toContain('-109 dBm');
    expect(await dl002.locator('[data-testid="dead-letters"]').innerText()).toContain('0');
    expect(await dl002.locator('time').getAttribute('datetime')).toBe(health.find((d) => d.id === 'DL-002')!.lastSeen);
    expect(await list.locator('[data-testid="device-health-item"][data-device-id="DL-001"]').count()).toBe(0);
    expect(await list.getByRole('button').count()).toBe(health.filter((d) => d.status !== 'ok').length);

    const items = list.locator('[data-testid="device-health-item"]');
    const statuses = (await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-status')))) as DeviceHealthDto['status'][];
    expect(statuses).not.toContain('ok');
    const ranks = statuses.map((s) => STATUS_ORDER.indexOf(s));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

    // The ingest line: what the pipeline committed, the queue, shed uplinks, refused logins.
    const ingest = section.locator('[data-testid="ingest-status"]');
    const line = await ingest.innerText();
    const stats = await get<{ pipeline: { committedReadings: number; highWater: number } }>('/api/ingest/stats');
    expect(line).toMatch(/已入库读数 \d/);
    const committed = Number(/已入库读数 ([\d,]+)/.exec(line)![1]!.replace(/,/g, ''));
    expect(committed).toBeGreaterThanOrEqual(4);
    expect(committed).toBeLessThanOrEqual(stats.pipeline.committedReadings);
    expect(line).toContain(`/${stats.pipeline.highWater.toLocaleString('zh-CN')}`);
    expect(line).toContain('丢弃 0');
    expect(line).toMatch(/拒绝登录 \d+/);

    await page.screenshot({ path: path.join(OUTPUT_DIR, 'device-health.png') });
  }, 60_000);

  it('locates the first sensor of a device when it is clicked', async () => {
    const sensors = await get<SensorDto[]>('/api/sensors');
    const first = sensors.find((s) => s.deviceId === 'DL-002')!;
    await page.locator('[data-testid="device-health-item"][data-device-id="DL-002"] button').click();
    const card = page.locator(`[data-testid="sensor-card"][data-sensor-id="${first.id}"]`);
    await card.waitFor({ timeout: 10_000 });
    // The map eases to it.
    await expect
      .poll(() => page.evaluate(() => window.lifelineMap!.getCenter().toArray()), { timeout: 10_000 })
      .toSatisfy(([lon, lat]: number[]) => Math.abs(lon! - first.location[0]) < 1e-4 && Math.abs(lat! - first.location[1]) < 1e-4);
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('speaks English for an English browser', async () => {
    const enContext = await browser!.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    await logIn(enContext, platform!);
    const enPage = await enContext.newPage();
    await enPage.goto(platform!.url);
    const section = enPage.locator('[data-testid="device-health"]');
    await section.locator('summary').click();
    const dl002 = section.locator('[data-testid="device-health-item"][data-device-id="DL-002"]');
    await dl002.waitFor({ timeout: 30_000 });
    expect(await section.locator('summary').innerText()).toContain(en.deviceHealth.heading);
    const text = await dl002.innerText();
    expect(text).toContain(en.deviceHealth.status.low_battery);
    expect(text).toContain('14 %');
    expect(text).toMatch(/ago|now/);
    expect(await section.locator('[data-testid="ingest-status"]').innerText()).toContain('readings stored');
    await enPage.context().close();
  }, 60_000);
});
