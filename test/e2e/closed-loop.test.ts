// The closed loop in real browsers, accounts on: the centre operator (logged in) verifies and
// dispatches a patrol report to the gas company; the gas company's dispatcher, logged in
// separately in a browser context of its own (with a device position), accepts, arrives, is
// refused a file over 10 MB before anything is uploaded, and disposes with a photo and a reading; the photo is stored with its SHA-256 and location stamp and the disposal's
// audit row records them; the operator sees the thumbnail in the incident's detail and closes.
// An admin adds a webhook subscription on the admin page and gets its secret once.
// Screenshots in test-output/closed-loop-*.png.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDto } from '../../src/api/dto.ts';
import type { Attachment } from '../../src/evidence/index.ts';
import type { Platform } from '../../src/platform/index.ts';
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import en from '../../web/src/i18n/en.json' with { type: 'json' };
import { api, USERS, type ApiClient } from '../support/api.ts';
import { type BrowserStage, logIn, OUTPUT_DIR, startBrowserStage } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';

const chromium = await chromiumService();
const SITE = { longitude: 112.23962, latitude: 30.33655, accuracy: 12 };

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

/** A 64×48 photo of the "site": orange top half, grey bottom half. */
function sitePhoto(): Buffer {
  const png = new PNG({ width: 64, height: 48 });
  for (let i = 0; i < 64 * 48; i++) {
    const top = i < 64 * 24;
    png.data.set(top ? [245, 124, 0, 255] : [120, 120, 120, 255], i * 4);
  }
  return PNG.sync.write(png);
}

describe.skipIf(!chromium.available)('the closed loop in browsers: dispatch, disposal with a photo, close', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let stage: BrowserStage | undefined;
  let operatorApi: ApiClient;
  let incident: IncidentDto;
  const photo = sitePhoto();
  const pageErrors: string[] = [];

  const open = async (user: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser!.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1, ...options });
    await logIn(context, platform!, user);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${user}: ${error.message}`));
    await page.goto(platform!.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    return { context, page };
  };
  const item = (page: Page) => page.locator(`[data-testid="incident-item"][data-incident-id="${incident.id}"]`);
  const reach = (page: Page, state: string) =>
    page.waitForSelector(`[data-testid="incident-item"][data-incident-id="${incident.id}"][data-state="${state}"]`, { timeout: 20_000 });

  beforeAll(async () => {
    ({ platform, browser } = stage = await startBrowserStage('closed-loop', { auth: 'required' }));
    operatorApi = await api(platform, USERS.operator);
    incident = (await operatorApi.post<IncidentDto>('/api/incidents', { title: '通信井燃气异味', description: '巡查发现通信井 AS-01 有燃气味', assetId: 'AS-01', level: 2 })).body;
  }, 120_000);

  afterAll(async () => {
    await stage?.stop();

  });

  it('has every evidence and webhook text in both languages', () => {
    expect(keys(en.evidence)).toEqual(keys(zhCN.evidence));
    expect(keys(en.webhooks)).toEqual(keys(zhCN.webhooks));
  });

  it('runs the loop across two logged-in parties and keeps the photo as evidence', async () => {
    const operator = await open(USERS.operator);
    await item(operator.page).locator('[data-testid="action-verify"]').click();
    await reach(operator.page, 'verified');
    await item(operator.page).locator('[data-testid="action-dispatch"]').click();
    expect(await item(operator.page).locator('[data-testid="dispatch-unit"]').inputValue()).toBe('gas-co');
    await item(operator.page).locator('[data-testid="action-confirm"]').click();
    await reach(operator.page, 'dispatched');
    await operator.page.screenshot({ path: path.join(OUTPUT_DIR, 'closed-loop-1-dispatched.png') });

    // The gas company's dispatcher, in a browser of its own, on site (the device's position is granted).
    const gas = await open(USERS.gas, { geolocation: SITE, permissions: ['geolocation'] });
    expect(await gas.page.locator('[data-testid="console-user"]').innerText()).toContain(zhCN.roles.owner_dispatcher);
    await item(gas.page).locator('[data-testid="action-accept"]').click();
    await reach(gas.page, 'accepted');
    await item(gas.page).locator('[data-testid="action-arrive"]').click();
    await reach(gas.page, 'on_site');
    await item(gas.page).locator('[data-testid="action-dispose"]').click();
    await item(gas.page).locator('[data-testid="action-reason"]').fill('关闭上游阀门，通风后复测 0 %LEL');
    // A file over 10 MB is refused in the browser before anything is uploaded.
    const huge = Buffer.concat([photo, Buffer.alloc(10 * 1024 * 1024)]);
    await item(gas.page).locator('[data-testid="dispose-files"]').setInputFiles([
      { name: 'scene.png', mimeType: 'image/png', buffer: photo }, { name: 'video-still.png', mimeType: 'image/png', buffer: huge },
    ]);
    await item(gas.page).locator('[data-testid="action-confirm"]').click();
    expect(await item(gas.page).locator('[role="alert"]').innerText()).toContain('video-still.png 超过 10 MB，未上传任何文件');
    expect(await item(gas.page).getAttribute('data-state')).toBe('on_site');
    expect(await operatorApi.get<Attachment[]>(`/api/incidents/${incident.id}/attachments`)).toEqual([]);
    await item(gas.page).locator('[data-testid="dispose-files"]').setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: photo });
    await item(gas.page).locator('[data-testid="reading-name"]').fill('lel');
    await item(gas.page).locator('[data-testid="reading-value"]').fill('0');
    await item(gas.page).locator('[data-testid="reading-unit"]').fill('%LEL');
    expect(await item(gas.page).locator('[data-testid="dispose-file-list"]').innerText()).toContain('scene.png');
    await gas.page.screenshot({ path: path.join(OUTPUT_DIR, 'closed-loop-2-disposing.png') });
    await item(gas.page).locator('[data-testid="action-confirm"]').click();
    await reach(gas.page, 'disposed');
    await gas.page.screenshot({ path: path.join(OUTPUT_DIR, 'closed-loop-3-disposed.png') });

    // What the server kept: the photo byte for byte, its location stamp, and the audit row citing its SHA-256.
    const sha256 = createHash('sha256').update(photo).digest('hex');
    const [stored] = await operatorApi.get<Attachment[]>(`/api/incidents/${incident.id}/attachments`);
    expect(stored).toMatchObject({ fileName: 'scene.png', mediaType: 'image/png', size: photo.length, sha256, uploadedBy: USERS.gas, uploaderOrg: 'gas-co' });
    expect(stored!.location).toMatchObject({ lon: SITE.longitude, lat: SITE.latitude, accuracy: SITE.accuracy });
    const disposed = await operatorApi.get<IncidentDto>(`/api/incidents/${incident.id}`);
    const disposal = disposed.events.at(-1)!;
    expect(disposal).toMatchObject({ action: 'dispose', actorId: USERS.gas, note: '关闭上游阀门，通风后复测 0 %LEL' });
    expect(disposal.payload).toMatchObject({
      attachments: [{ id: stored!.id, sha256 }], location: { lon: SITE.longitude, lat: SITE.latitude }, readings: [{ name: 'lel', value: 0, unit: '%LEL' }],
    });

    // The operator reviews: the thumbnail and the location stamp in the incident's detail, then closes.
    await reach(operator.page, 'disposed');
    await item(operator.page).locator('[data-testid="timeline-toggle"]').click();
    const thumbnail = item(operator.page).locator('[data-testid="evidence-thumbnail"]');
    await thumbnail.waitFor({ timeout: 15_000 });
    await operator.page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await thumbnail.elementHandle(), { timeout: 15_000 });
    expect(await thumbnail.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(64);
    expect(await item(operator.page).locator('[data-testid="evidence-location"]').innerText()).toBe('拍摄位置 112.23962, 30.33655 ±12 m');
    expect(await item(operator.page).locator('[data-testid="evidence-item"]').getAttribute('data-sha256')).toBe(sha256);
    await operator.page.screenshot({ path: path.join(OUTPUT_DIR, 'closed-loop-4-review.png') });
    await item(operator.page).locator('[data-testid="action-close"]').click();
    await reach(operator.page, 'closed');
    await item(operator.page).locator('[data-testid="verify-chain"]').click();
    expect(await item(operator.page).locator('[data-testid="chain-result"]').innerText()).toBe(zhCN.incidents.chainOk.replace('{{count}}', '7'));
    await operator.page.screenshot({ path: path.join(OUTPUT_DIR, 'closed-loop-5-closed.png') });
    await reach(gas.page, 'closed');
    await Promise.all([operator.context.close(), gas.context.close()]);
  });

  it('lets an admin add a webhook subscription and shows its secret once', async () => {
    const admin = await open(USERS.admin);
    await admin.page.goto(`${platform!.url}/#/webhooks`);
    const form = admin.page.locator('[data-testid="add-subscription"]');
    await form.waitFor();
    await form.locator('input[name="url"]').fill('https://hooks.example.org/lifeline');
    await form.locator('button[type="submit"]').click();
    const secret = admin.page.locator('[data-testid="secret-value"]');
    await secret.waitFor();
    expect(await secret.innerText()).toMatch(/^whsec_/);
    await admin.page.locator('[data-testid="subscription-row"]').first().waitFor();
    expect(await admin.page.locator('[data-testid="subscription-row"] code').first().innerText()).toBe('https://hooks.example.org/lifeline');
    await admin.page.screenshot({ path: path.join(OUTPUT_DIR, 'closed-loop-6-webhooks.png') });
    await admin.context.close();
    expect(pageErrors).toEqual([]);
  });
});
