// End to end through a real browser: the centre's operator acknowledges the water alarm with a
// comment in the alarm list, then creates a maintenance silence for gas detector GD-002 on the
// Silences page; GD-002's next alarm arrives muted: listed with its badge (and under the "muted"
// filter), no incident opened for it.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmDto, SilenceDto } from '../../src/api/dto.ts';
import type { Platform } from '../../src/platform/index.ts';
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { USERS } from '../support/api.ts';
import { type BrowserStage, openApp, OUTPUT_DIR, startBrowserStage } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';
import { getJson, waitFor } from '../support/wait.ts';

const chromium = await chromiumService();

describe.skipIf(!chromium.available)('acknowledging and silencing alarms in a browser', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let stage: BrowserStage | undefined;
  let page: Page;
  let token = '';
  let pageErrors: string[] = [];

  const get = <T,>(route: string): Promise<T> => getJson<T>(`${platform!.url}${route}`, token);
  const report = async (device: string, values: Record<string, number>) => {
    const response = await fetch(`${platform!.url}/api/ingest/devices/${device}`, {
      method: 'POST', headers: { authorization: `Bearer ${platform!.deviceCredentials(device)!.password}`, 'content-type': 'application/json' },
      body: JSON.stringify({ values }),
    });
    expect(response.status).toBe(200);
  };
  const item = (sensorId: string) => page.locator(`[data-testid="alarm-item"][data-sensor-id="${sensorId}"]`);

  beforeAll(async () => {
    ({ platform, browser } = stage = await startBrowserStage('ack'));
    token = await platform.login(USERS.operator);
    await report('WP-001', { p: 0.05 }); // water pressure, level 1
    ({ page, pageErrors } = await openApp(browser, platform, { viewport: { width: 1280, height: 900 } }));
  }, 120_000);

  afterAll(async () => {
    await stage?.stop();
  });

  it('acknowledges an alarm with a comment', async () => {
    const water = item('WP-001.p');
    await water.waitFor();
    expect(await water.getAttribute('data-acked')).toBe('false');
    await water.locator('[data-testid="ack-button"]').click();
    // No comment, no acknowledgement: the button waits for one.
    expect(await water.locator('[data-testid="ack-submit"]').isDisabled()).toBe(true);
    await water.locator('[data-testid="ack-comment"]').fill('已通知水务公司关阀排查');
    await water.locator('[data-testid="ack-submit"]').click();
    await page.waitForSelector('[data-testid="alarm-item"][data-sensor-id="WP-001.p"][data-acked="true"]');
    expect(await water.locator('[data-testid="badge-acked"]').innerText()).toContain('已通知水务公司关阀排查');
    const alarm = (await get<AlarmDto[]>('/api/alarms')).find((a) => a.sensorId === 'WP-001.p');
    expect(alarm?.ack).toMatchObject({ by: USERS.operator, comment: '已通知水务公司关阀排查' });
  });

  it('creates a silence on the Silences page that mutes the sensor\'s next alarm: listed as muted, no incident', async () => {
    await page.locator('[data-testid="nav-silences"]').click();
    await page.locator('[data-testid="silences-page"]').waitFor();
    expect(await page.locator('[data-testid="nav-silences"]').innerText()).toBe(zhCN.alerting.silences.nav);
    await page.locator('[data-testid="silence-sensor"]').selectOption('GD-002.lel');
    await page.locator('[data-testid="silence-reason"]').fill('检测仪标定');
    await page.locator('[data-testid="silence-create"]').click();
    await page.waitForSelector('[data-testid="silence-row"][data-state="active"]');
    const [silence] = await get<SilenceDto[]>('/api/silences');
    expect(silence).toMatchObject({ kind: 'maintenance', matchers: { sensorId: 'GD-002.lel' }, reason: '检测仪标定', createdBy: USERS.operator, active: true });

    await report('GD-002', { lel: 40 }); // level 2: an incident for the gas company, were it not muted
    await page.locator('[data-testid="nav-map"]').click();
    const gas = item('GD-002.lel');
    await gas.waitFor();
    expect(await gas.getAttribute('data-muted')).toBe('silence');
    expect(await gas.locator('[data-testid="badge-muted"]').innerText()).toBe(zhCN.alerting.muted.silence);
    const alarm = await waitFor('the muted alarm', async () => (await get<AlarmDto[]>('/api/alarms')).find((a) => a.sensorId === 'GD-002.lel'));
    expect(alarm).toMatchObject({ muted: { by: 'silence', ref: silence!.id }, incidentId: null });

    await page.locator('[data-testid="alarm-filter"]').selectOption('muted');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="alarm-item"]').length === 1);
    expect(await page.locator('[data-testid="alarm-item"]').getAttribute('data-sensor-id')).toBe('GD-002.lel');
    await page.locator('[data-testid="alarm-filter"]').selectOption('all');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="alarm-item"]').length === 2);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'alarm-ack.png') });
    expect(pageErrors).toEqual([]);
  });
});
