// The assessment report and the account administration pages in a real browser, accounts on,
// on the demo city (its districts, blocks and zones).
// The centre operator sees every unit and area for the month, printed as A4 (print media hides
// the app's chrome; a PDF is written); the gas company's dispatcher sees its own figures only and
// no administration; the admin creates a user, resets a password, disables a user, and issues
// and revokes an API token, each secret shown once. Screenshots and the PDF in test-output/.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDto } from '../../src/api/dto.ts';
import { INCIDENT_TYPES, type Assessment } from '../../src/incidents/index.ts';
import type { Platform } from '../../src/platform/index.ts';
import en from '../../web/src/i18n/en.json' with { type: 'json' };
import zh from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { api, USERS } from '../support/api.ts';
import { type BrowserStage, logIn, OUTPUT_DIR, startBrowserStage } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';

const chromium = await chromiumService();

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

describe('supervision pages: strings', () => {
  it('has every string of the report and the administration in zh-CN and en', () => {
    expect(keys(zh.assessment)).toEqual(keys(en.assessment));
    expect(keys(zh.userAdmin)).toEqual(keys(en.userAdmin));
    expect(Object.keys(zh.incidentType).sort()).toEqual([...INCIDENT_TYPES].sort());
    expect(Object.keys(en.incidentType).sort()).toEqual([...INCIDENT_TYPES].sort());
  });
});

describe.skipIf(!chromium.available)('assessment report and user administration in a browser', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let stage: BrowserStage | undefined;
  const pageErrors: string[] = [];
  let gasAreas: { id: string; name: string }[] = [];
  /** The area rows' ids as the report lists them ('' for the unplaced row). */
  const areaRows = (page: Page) => page.locator('[data-testid="report-area-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-area')));

  const open = async (user: string, hash: string): Promise<Page> => {
    // The deployment's zone, so the browser's "this month" is the server's.
    const context = await browser!.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await logIn(context, platform!, user);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${platform!.url}/${hash}`);
    return page;
  };
  const cells = (page: Page, row: string) => page.locator(row).first().locator('td').allInnerTexts();

  beforeAll(async () => {
    ({ platform, browser } = stage = await startBrowserStage('assessment'));
    // The district, block and zone of each asset used, in the report's order (kind, then id).
    const areasOf = async (assets: string[]) => (await platform!.db.query<{ id: string; name: string }>(
      `SELECT a.id, a.name FROM areas a
        WHERE a.id IN (SELECT area_id FROM asset_areas WHERE asset_id = ANY($1::text[])) AND a.kind IN ('district', 'block', 'zone')
        ORDER BY CASE a.kind WHEN 'district' THEN 1 WHEN 'block' THEN 2 ELSE 3 END, a.id`, [assets],
    ));
    gasAreas = await areasOf(['AS-01']);
    const operator = await api(platform, USERS.operator);
    const gas = await api(platform, USERS.gas);
    const leak = (await operator.post<IncidentDto>('/api/incidents', { description: '通信井燃气异味', assetId: 'AS-01', level: 2 })).body;
    for (const [client, action, note] of [[operator, 'verify'], [operator, 'dispatch'], [gas, 'accept'], [gas, 'arrive'], [gas, 'dispose', '关阀通风，复测 0 %LEL'], [operator, 'close']] as const) {
      expect((await client.post(`/api/incidents/${leak.id}/transitions`, { action, note })).status).toBe(200);
    }
    const flood = (await operator.post<IncidentDto>('/api/incidents', { description: '排口附近积水', assetId: 'DO-01', level: 3 })).body;
    expect((await operator.post(`/api/incidents/${flood.id}/transitions`, { action: 'reject', note: '误报：施工用水' })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await stage?.stop();
  });

  it('shows the month per unit and per area, and prints as a clean A4 report', async () => {
    const page = await open(USERS.operator, '#/assessment');
    await page.waitForSelector('[data-testid="report-unit-row"][data-owner="gas-co"]', { timeout: 60_000 });
    expect(await page.locator('.report-title').innerText()).toBe(zh.assessment.title);
    // Columns: unit, incidents, closed, closure, disposed, on time, verify, dispatch, dispose, false alarms, reopen, escalations.
    const gasRow = await cells(page, '[data-testid="report-unit-row"][data-owner="gas-co"]');
    expect(gasRow.slice(1, 6)).toEqual(['1', '1', '100.0%', '1', '100.0%']);
    // The demo city seeds drainage incidents of its own: the page shows what the API computes.
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
    const figures = await (await api(platform!, USERS.operator)).get<Assessment>(`/api/incidents/assessment?period=${month}`);
    const drain = figures.units.find((u) => u.ownerId === 'drain-co')!;
    const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
    const drainRow = await cells(page, '[data-testid="report-unit-row"][data-owner="drain-co"]');
    expect([drainRow[1], drainRow[3], drainRow[9]]).toEqual([String(drain.incidents), percent(drain.closureRate), percent(drain.falseAlarmRate)]);
    expect(drain.falseAlarmRate).toBeGreaterThan(0); // the rejected report at DO-01
    expect((await cells(page, '[data-testid="report-unit-total"]')).slice(0, 2)).toEqual([zh.assessment.total, String(figures.total.incidents)]);
    // Every district, block and zone of the leak's asset is listed, with the API's counts.
    expect(gasAreas.length).toBeGreaterThan(0);
    expect(await areaRows(page)).toEqual(figures.areas.map((a) => a.areaId ?? ''));
    expect(await areaRows(page)).toEqual(expect.arrayContaining(gasAreas.map((a) => a.id)));
    for (const area of figures.areas.filter((a) => a.areaId !== null)) {
      expect((await cells(page, `[data-testid="report-area-row"][data-area="${area.areaId}"]`)).slice(0, 2)).toEqual([area.areaName, String(area.incidents)]);
    }
    expect(await page.locator('[data-testid="csv-areas"]').getAttribute('href')).toMatch(/format=csv&by=area$/);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'assessment-report.png'), fullPage: true });

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.header').isVisible()).toBe(false);
    expect(await page.locator('.nav-bar').isVisible()).toBe(false);
    expect(await page.locator('[data-testid="print"]').isVisible()).toBe(false);
    expect(await page.locator('.report-title').isVisible()).toBe(true);
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.report .page-table td')!).color)).toBe('rgb(0, 0, 0)');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'assessment-report-print.png'), fullPage: true });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    writeFileSync(path.join(OUTPUT_DIR, 'assessment-report.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // One A4 page: 595 × 842 pt.
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]/);
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(1);

    await page.emulateMedia({ media: 'screen' });
    await page.selectOption('[data-testid="period-kind"]', 'year');
    await page.waitForSelector('[data-testid="report-unit-row"][data-owner="gas-co"]');
    expect(await page.locator('[data-testid="report-meta"]').innerText()).toContain('年度');
    await page.context().close();
  });

  it('gives the gas company its own figures only, and no administration page', async () => {
    const page = await open(USERS.gas, '#/assessment');
    await page.waitForSelector('[data-testid="report-unit-total"]', { timeout: 60_000 });
    expect(await page.locator('[data-testid="report-unit-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-owner')))).toEqual(['gas-co']);
    expect(await areaRows(page)).toEqual(gasAreas.map((a) => a.id));
    expect(await page.locator('[data-testid="report-meta"]').innerText()).toContain('仅含');
    expect(await page.locator('[data-testid="nav-users"]').count()).toBe(0);
    // The incident console names each incident's type (the one the deadlines depend on).
    await page.goto(`${platform!.url}/#/`);
    await expect.poll(() => page.locator('[data-testid="incident-type"]').allInnerTexts(), { timeout: 30_000 }).toContain(zh.incidentType.gas_leak);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'assessment-report-gas-co.png'), fullPage: true });
    await page.context().close();
  });

  it('lets the admin create a user, reset a password, disable a user and issue and revoke a token, each secret shown once', async () => {
    const page = await open(USERS.admin, '#/users');
    await page.waitForSelector(`[data-testid="user-row"][data-user="${USERS.water}"]`, { timeout: 60_000 });

    const form = page.locator('[data-testid="add-user"]');
    await form.locator('input[name="id"]').fill('water-crew-1');
    await form.locator('input[name="name"]').fill('供水抢修 刘');
    await form.locator('select[name="orgId"]').selectOption('water-co');
    await form.locator('input[name="role-field_crew"]').check();
    await form.locator('button[type="submit"]').click();
    await page.waitForSelector('[data-testid="user-row"][data-user="water-crew-1"]');
    const password = await page.locator('[data-testid="secret-value"]').innerText();
    const login = async (user: string, secret: string) => (await fetch(`${platform!.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: secret }),
    })).status;
    expect(await login('water-crew-1', password)).toBe(200);
    expect(await cells(page, '[data-testid="user-row"][data-user="water-crew-1"]')).toEqual(
      expect.arrayContaining(['water-crew-1', '供水抢修 刘', '荆州市自来水公司', zh.roles.field_crew, zh.userAdmin.active]),
    );
    await page.locator('[data-testid="secret-box"] button').click();
    expect(await page.locator('[data-testid="secret-box"]').count()).toBe(0);

    await page.locator('[data-testid="user-row"][data-user="water-crew-1"] [data-testid="reset-password"]').click();
    await expect.poll(() => page.locator('[data-testid="secret-value"]').count()).toBe(1);
    const reset = await page.locator('[data-testid="secret-value"]').innerText();
    expect(reset).not.toBe(password);
    expect(await login('water-crew-1', password)).toBe(401);
    expect(await login('water-crew-1', reset)).toBe(200);

    const tokenForm = page.locator('[data-testid="add-token"]');
    await tokenForm.locator('select[name="userId"]').selectOption('water-crew-1');
    await tokenForm.locator('input[name="tokenName"]').fill('巡检 App');
    await tokenForm.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator('[data-testid="secret-value"]').innerText()).toMatch(/^llt_/);
    const token = await page.locator('[data-testid="secret-value"]').innerText();
    const me = async () => (await fetch(`${platform!.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await me()).toBe(200);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'user-admin.png'), fullPage: true });

    await page.locator('[data-testid="user-row"][data-user="water-crew-1"] [data-testid="toggle-disabled"]').click();
    await expect.poll(() => cells(page, '[data-testid="user-row"][data-user="water-crew-1"]')).toContain(zh.userAdmin.disabled);
    expect(await me()).toBe(401);
    await page.locator('[data-testid="user-row"][data-user="water-crew-1"] [data-testid="toggle-disabled"]').click();
    await expect.poll(() => cells(page, '[data-testid="user-row"][data-user="water-crew-1"]')).toContain(zh.userAdmin.active);
    expect(await me()).toBe(200);

    await page.locator('[data-testid="token-row"] [data-testid="revoke-token"]').first().click();
    await expect.poll(() => page.locator('[data-testid="revoke-token"]').count()).toBe(0);
    expect(await me()).toBe(401);
    // The admin's own row offers no way to disable itself.
    expect(await page.locator(`[data-testid="user-row"][data-user="${USERS.admin}"] [data-testid="toggle-disabled"]`).count()).toBe(0);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'user-admin-after.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
