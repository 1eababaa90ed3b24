// The drainage programme pages in a real browser on the demo city's sample campaign: the
// remediation dashboard with a project's evidence, facilities with duty and a patrol check-in, the
// water environment's class strips (荆襄内河's class V day below target), the KPIs with their CSV;
// the KPI page is not offered to an owner unit. Screenshots in test-output/.
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Platform } from '../../src/platform/index.ts';
import en from '../../web/src/i18n/en.json' with { type: 'json' };
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { USERS } from '../support/api.ts';
import { type DemoInBrowser, openApp, openDemoInBrowser, OUTPUT_DIR } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';

const chromium = await chromiumService();
const zh = zhCN.drainageProgramme;

describe.skipIf(!chromium.available)('drainage programme pages in a browser', () => {
  let demo: DemoInBrowser | undefined;
  let page: Page;
  let platform: Platform;
  let browser: Browser;

  beforeAll(async () => {
    demo = await openDemoInBrowser();
    ({ page, platform, browser } = demo);
    await page.setViewportSize({ width: 1400, height: 900 });
  }, 120_000);

  afterAll(async () => {
    expect(demo?.pageErrors ?? []).toEqual([]);
    expect(demo?.foreignRequests ?? []).toEqual([]);
    await demo?.stop();
  });

  const open = async (id: string) => {
    await page.locator(`[data-testid="nav-${id}"]`).click();
    await page.waitForSelector(`[data-testid="page-${id}"]`);
  };

  it('remediation: six projects of six action types, the city row first, a project\'s indicators and photos', async () => {
    await open('remediation');
    await expect.poll(() => page.locator('[data-testid="rem-projects"]').innerText()).toBe('6');
    const city = page.locator('[data-testid="rem-dashboard"] tr[data-area-id="JZ"]');
    expect(await city.locator('td').count()).toBe(8);
    await page.locator('[data-testid="rem-project"]').first().click();
    const detail = page.locator('[data-testid="rem-project-detail"]');
    await expect.poll(() => detail.innerText()).toContain('旱天排口出流');
    expect(await detail.locator('a[href^="https://lifeline.example/"]').count()).toBe(3);
    // A progress update with a photo link, recorded from the page.
    const form = detail.locator('[data-testid="rem-progress-form"]');
    await form.locator('input[name="note"]').fill('排口巡查无旱天出流');
    await form.locator('input[name="photo"]').fill('https://lifeline.example/demo/photos/after.jpg');
    await form.getByRole('button').click();
    await expect.poll(() => detail.innerText()).toContain('排口巡查无旱天出流');
    expect(await detail.locator('a[href="https://lifeline.example/demo/photos/after.jpg"]').count()).toBe(1);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-remediation.png'), fullPage: true });
  });

  it('facilities: telemetry, who is on duty, a patrol check-in', async () => {
    await open('facilities');
    const pump = page.locator('[data-testid="facility"][data-facility-id="DPS-01"]');
    await expect.poll(() => pump.innerText()).toContain('61,840');
    expect(await page.locator('[data-testid="facility"]').count()).toBe(4);
    expect(await pump.locator('[data-testid="on-duty"]').innerText()).toMatch(/张伟|李娜|王强/);
    const patrol = pump.locator('[data-testid="patrol"]').first();
    expect(await patrol.innerText()).toContain(zh.facilities.noCheckin);
    await patrol.getByRole('button', { name: zh.facilities.checkIn }).click();
    await expect.poll(() => patrol.innerText()).toContain(USERS.operator);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-facilities.png'), fullPage: true });
  });

  it('water environment: class strips of the last 30 days by river and station, the class V day below target IV', async () => {
    await open('water');
    const station = page.locator('[data-testid="station-row"][data-station-id="RS-01"]');
    await expect.poll(() => station.locator('[data-testid="station-strip"] span').count()).toBeGreaterThanOrEqual(28);
    expect(await station.locator('[data-testid="station-strip"] span[data-class="V"]').count()).toBe(1);
    expect(await station.locator('[data-testid="below-target"]').innerText()).toContain('1');
    expect(await page.locator('[data-testid="river-row"]').count()).toBe(2);
    expect(await page.locator('[data-testid="waterlogging-row"]').innerText()).toContain('东门下穿通道');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-water.png'), fullPage: true });
  });

  it('KPIs: collection rate per area and month, and the CSV the page links to', async () => {
    await open('kpi');
    const city = page.locator('[data-testid="kpi-area"][data-area-id="JZ"]');
    await expect.poll(() => city.locator('[data-testid="kpi-rate"]').innerText()).toMatch(/^\d+\.\d%$/);
    // A period without records: no rate.
    await page.locator('[data-testid="kpi-from"]').fill('2020-01-01');
    await page.locator('[data-testid="kpi-to"]').fill('2020-01-31');
    await expect.poll(() => city.locator('[data-testid="kpi-rate"]').innerText()).toBe('—');
    await page.locator('[data-testid="kpi-from"]').fill('');
    await page.locator('[data-testid="kpi-to"]').fill('');
    await expect.poll(() => city.locator('[data-testid="kpi-rate"]').innerText()).toMatch(/^\d+\.\d%$/);
    expect(await page.locator('[data-testid="kpi-months"] tbody tr').count()).toBeGreaterThanOrEqual(2);
    const href = await page.locator('[data-testid="kpi-csv"]').getAttribute('href');
    const csv = await page.evaluate(async (url) => (await fetch(url!, { credentials: 'same-origin' })).text(), href);
    expect(csv.replace(/^\uFEFF/, '').split('\r\n')[0]).toMatch(/^area_id,area_name,kind,month,served_population/);
    expect(csv).toContain('JZ,荆州中心城区（示范）,city,');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-kpi.png'), fullPage: true });
  });

  it('in English, and not offered to an owner unit', async () => {
    const english = await openApp(browser, platform, { locale: 'en-US', viewport: { width: 1400, height: 900 } });
    await english.page.locator('[data-testid="nav-kpi"]').click();
    await english.page.waitForSelector('[data-testid="kpi-area"]');
    expect(await english.page.locator('h1').innerText()).toBe(en.drainageProgramme.kpi.title);
    await english.page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-kpi-en.png'), fullPage: true });
    expect(english.pageErrors).toEqual([]);
    await english.page.context().close();

    const owner = await openApp(browser, platform, { user: USERS.drainage });
    expect(await owner.page.locator('[data-testid="nav-remediation"]').count()).toBe(1);
    expect(await owner.page.locator('[data-testid="nav-kpi"]').count()).toBe(0);
    await owner.page.context().close();
  });

  it('the findings register per area, and the supervisor\'s form for served population (the operator has none)', async () => {
    await open('kpi');
    const city = page.locator('[data-testid="kpi-area"][data-area-id="JZ"]');
    // Demo register: SWP27 remediated and DP05 verified of 4 misconnections not dismissed; DO-01 has an open intrusion.
    await expect.poll(() => city.locator('[data-testid="kpi-misconnections"]').innerText()).toMatch(/^2 \/ 4/);
    expect(await city.locator('[data-testid="kpi-resolved-rate"]').innerText()).toBe('50.0%');
    expect(await city.locator('[data-testid="kpi-outfalls"]').innerText()).toBe('0 / 1');
    expect(await page.locator('[data-testid="kpi-inputs"]').count()).toBe(0);

    const supervisor = await openApp(browser, platform, { user: USERS.supervisor, viewport: { width: 1400, height: 900 } });
    await supervisor.page.locator('[data-testid="nav-kpi"]').click();
    await supervisor.page.waitForSelector('[data-testid="kpi-population-form"]');
    await supervisor.page.locator('[data-testid="kpi-population-area"]').selectOption('JZ-D2');
    await supervisor.page.locator('[data-testid="kpi-population-value"]').fill('36000');
    await supervisor.page.locator('[data-testid="kpi-population-save"]').click();
    await expect.poll(() => supervisor.page.locator('[data-testid="kpi-inputs-message"]').innerText()).toContain('沙市片区');
    const district = supervisor.page.locator('[data-testid="kpi-area"][data-area-id="JZ-D2"] td').nth(1);
    await expect.poll(() => district.innerText()).toMatch(/^36,?000$/);
    await supervisor.page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-kpi-inputs.png'), fullPage: true });
    expect(supervisor.pageErrors).toEqual([]);
    await supervisor.page.context().close();
  });
});
