// End to end through a real browser on the demo city: the inspections page lists the sample
// campaigns and each segment's CJJ 181 grades in their colours with defects and photo links; the
// misconnection register walks a finding through its workflow and turns it into a work order;
// the intrusion and leak register takes a new finding. Screenshots in test-output/.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../web/src/i18n/en.json' with { type: 'json' };
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { type DemoInBrowser, openApp, openDemoInBrowser, OUTPUT_DIR } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';

const chromium = await chromiumService();

/** Every key path of a nested object. */
const keys = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`])).sort();

describe.skipIf(!chromium.available)('drainage registers in a browser', () => {
  let demo: DemoInBrowser;
  let page: Page;

  const go = async (id: string) => {
    await page.evaluate((hash) => { window.location.hash = hash; }, `#/${id}`);
    await page.waitForSelector(`[data-testid="page-${id}"]`);
  };

  beforeAll(async () => {
    demo = await openDemoInBrowser();
    page = demo.page;
    await page.setViewportSize({ width: 1440, height: 1000 });
  }, 180_000);

  afterAll(async () => {
    await demo?.stop();
  });

  it('has every text of the registers in both languages', () => {
    expect(keys(en.inspections)).toEqual(keys(zhCN.inspections));
    expect(keys(en.findings)).toEqual(keys(zhCN.findings));
  });

  it('shows the campaigns and, per segment, the grades, indices and defects with photo links', async () => {
    await go('inspections');
    const campaigns = page.locator('[data-testid="campaign-row"]');
    await campaigns.first().waitFor();
    expect(await campaigns.count()).toBe(2);
    await page.locator('[data-testid="campaign-row"][data-campaign-id="DEMO-CCTV-2026"]').click();
    const rows = page.locator('[data-testid="segment-row"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="segment-row"]').length === 35);
    // Worst first: a segment that calls for action now heads the list.
    const grades = await rows.first().evaluate((row) => [row.getAttribute('data-structural-grade'), row.getAttribute('data-functional-grade')]);
    expect(grades).toContain('4');
    // The collapsed segment by the river: structural grade IV, RI 8.95 (worked out in test/drainage/inspections-demo.test.ts).
    const collapse = page.locator('[data-testid="segment-row"][data-segment-id="SWP56"]');
    expect(await collapse.locator('[data-testid="structural-grade"]').innerText()).toBe('IV');
    expect(await collapse.locator('[data-testid="ri"]').innerText()).toBe('8.95');
    expect(await collapse.locator('[data-testid="segment-location"]').innerText()).toMatch(/^112\.\d{5}, 30\.\d{5}$/);
    await collapse.click();
    const defects = page.locator('[data-testid="defect-row"]');
    await defects.first().waitFor();
    expect(await defects.count()).toBe(2);
    expect(await defects.first().innerText()).toContain('PL 破裂');
    expect(await defects.first().locator('a').first().getAttribute('href')).toBe('https://media.example.org/jingzhou/cctv/SWP56-1.jpg');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-inspections.png'), fullPage: false });
  });

  it('imports an export from the page: a bad file is refused row by row, a good one is written', async () => {
    await page.locator('[data-testid="campaign-row"][data-campaign-id="DEMO-QV-2026"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="segment-row"]').length === 5);
    const upload = async (name: string, csv: string) => {
      await page.locator('[data-testid="import-file"]').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.locator('[data-testid="import-submit"]').click();
      await page.locator('[data-testid="import-result"]').waitFor();
    };
    await upload('bad.csv', '管段编号,检测日期,缺陷代码,缺陷等级,缺陷距离\nDP03,2026-11-20,PL,5,3\nNOPE-9,2026-11-20,SL,1,2\n');
    expect(await page.locator('[data-testid="import-result"]').getAttribute('data-written')).toBe('false');
    expect(await page.locator('[data-testid="import-rejected-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')))).toEqual(['2', '3']);
    expect(await page.locator('[data-testid="import-rejected-row"]').first().innerText()).toContain('PL (破裂) has grades 1–4, not 5');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-import-refused.png') });
    await upload('good.csv', '管段编号,检测日期,缺陷代码,缺陷等级,缺陷距离\nDP03,2026-11-20,SL,2,100\n');
    expect(await page.locator('[data-testid="import-result"]').getAttribute('data-written')).toBe('true');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="segment-row"]').length === 6);
  });

  it('opens a segment on the map from its id', async () => {
    await page.locator('[data-testid="segment-row"][data-segment-id="DP03"] [data-testid="segment-map-link"]').first().click();
    await page.waitForSelector('[data-testid="asset-panel"][data-asset-id="DP03"]');
    expect(await page.evaluate(() => window.location.hash)).toBe('#/?asset=DP03');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-segment-on-map.png') });
  });

  it('walks a misconnection through the register and makes a work order of it', async () => {
    await go('misconnections');
    const rows = page.locator('[data-testid="finding-row"]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(5);
    // The demo's work order is shown on its finding.
    const ordered = page.locator('[data-testid="finding-row"][data-status="remediating"]');
    expect(await ordered.locator('[data-testid="finding-incident"]').innerText()).toMatch(/^工单 #\d+$/);

    const found = page.locator('[data-testid="finding-row"][data-status="found"]').first();
    const id = await found.getAttribute('data-finding-id');
    const row = page.locator(`[data-testid="finding-row"][data-finding-id="${id}"]`);
    await row.locator('[data-testid="finding-action-confirm"]').click();
    await page.waitForSelector(`[data-testid="finding-row"][data-finding-id="${id}"][data-status="confirmed"]`);
    expect(await row.locator('[data-testid="finding-status"]').innerText()).toBe(zhCN.findings.status.confirmed);
    await row.locator('[data-testid="finding-work-order"]').click();
    await page.waitForSelector(`[data-testid="finding-row"][data-finding-id="${id}"][data-status="remediating"]`);
    expect(await row.locator('[data-testid="finding-incident"]').innerText()).toMatch(/^工单 #\d+$/);
    // A dismissal needs a reason: the confirm button stays disabled until one is given.
    const other = page.locator('[data-testid="finding-row"][data-status="confirmed"]').first();
    if (await other.count()) {
      await other.locator('[data-testid="finding-action-dismiss"]').click();
      expect(await other.locator('[data-testid="finding-confirm"]').isDisabled()).toBe(true);
    }
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-misconnections.png') });
  });

  it('registers a river-water intrusion at the outfall in the intrusion and leak register', async () => {
    await go('intrusions');
    const rows = page.locator('[data-testid="finding-row"]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    await page.locator('[data-testid="finding-subtype"]').selectOption('lake_backflow');
    await page.locator('[data-testid="finding-asset"]').fill('DO-01');
    await page.locator('[data-testid="finding-source"]').fill('洪湖 高水位');
    await page.locator('[data-testid="finding-create"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="finding-row"]').length === 3);
    expect(await page.locator('[data-testid="finding-row"][data-kind="intrusion"]').count()).toBe(2);
    // An asset that does not exist is refused with the server's reason.
    await page.locator('[data-testid="finding-asset"]').fill('NOPE-1');
    await page.locator('[data-testid="finding-create"]').click();
    expect(await page.locator('[data-testid="finding-error"]').innerText()).toBe('assetId: asset NOPE-1 does not exist');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-intrusions-leaks.png') });
  });

  it('speaks English too', async () => {
    const { page: english, pageErrors } = await openApp(demo.browser, demo.platform, { locale: 'en', viewport: { width: 1440, height: 1000 } });
    await english.evaluate(() => { window.location.hash = '#/inspections'; });
    await english.locator('[data-testid="campaign-row"]').first().waitFor();
    expect(await english.locator('h1').first().innerText()).toBe(en.inspections.title);
    await english.locator('[data-testid="campaign-row"][data-campaign-id="DEMO-CCTV-2026"]').click();
    const collapse = english.locator('[data-testid="segment-row"][data-segment-id="SWP56"]');
    await collapse.waitFor();
    expect(await collapse.innerText()).toContain(en.inspections.action.repair_now);
    await english.screenshot({ path: path.join(OUTPUT_DIR, 'drainage-inspections-en.png') });
    expect(pageErrors).toEqual([]);
  });

  it('raised no page errors and fetched nothing from elsewhere', () => {
    expect(demo.pageErrors).toEqual([]);
    expect(demo.foreignRequests).toEqual([]);
  });
});
