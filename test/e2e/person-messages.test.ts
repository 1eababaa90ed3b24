// Messages to people in a real browser: the platform runs with a WeChat Work channel whose gateway
// (a real local HTTP server) is down; the centre operator dispatches an incident to the gas
// company, the message is tried twice and marked failed; the admin sees it failed on the webhooks
// page (text, recipient, the gateway's answer), the gateway comes back, the admin retries it and
// the page shows it sent — the gateway got every attempt under the same message id.
// Screenshots in test-output/person-messages-*.png.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDto } from '../../src/api/dto.ts';
import type { StoredMessage } from '../../src/notify/index.ts';
import type { Platform } from '../../src/platform/index.ts';
import { api, USERS } from '../support/api.ts';
import { type BrowserStage, openApp, OUTPUT_DIR, startBrowserStage } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';

const chromium = await chromiumService();

describe.skipIf(!chromium.available)('messages to people on the admin page: a failed message retried', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let stage: BrowserStage | undefined;
  let gatewayUp = false;
  const gatewayCalls: { path: string; messageId: string; content: string }[] = [];
  let gatewayBase = '';
  const gateway = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      gatewayCalls.push({ path: new URL(req.url!, 'http://gateway').pathname, messageId: String(req.headers['x-lifeline-message']), content: (JSON.parse(text) as { text: { content: string } }).text.content });
      if (gatewayUp) res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
      else res.writeHead(500).end();
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    gatewayBase = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    const url = `${gatewayBase}/cgi-bin/webhook/send?key=e2e`;
    ({ platform, browser } = stage = await startBrowserStage('person-messages', {
      auth: 'required', webhookCheckMs: 100, webhookRetry: { baseMs: 200, maxAttempts: 2 }, notifyChannels: [{ channel: 'wecom', url }],
    }));
  }, 120_000);

  /** The admin's webhooks page, in Chinese, in a context of its own. */
  const openWebhooksPage = async () => {
    const opened = await openApp(browser!, platform!, { user: USERS.admin, viewport: { width: 1400, height: 1000 } });
    await opened.page.goto(`${platform!.url}/#/webhooks`);
    return opened;
  };

  afterAll(async () => {
    await stage?.stop();
    await new Promise<void>((resolve) => gateway.close(() => resolve()));
  });

  it('shows a failed message to the admin, who retries it once the gateway is back', async () => {
    const operator = await api(platform!, USERS.operator);
    const admin = await api(platform!, USERS.admin);
    const incident = (await operator.post<IncidentDto>('/api/incidents', { title: '通信井燃气异味', description: '巡查发现通信井 AS-01 有燃气味', assetId: 'AS-01', level: 2 })).body;
    expect((await operator.post(`/api/incidents/${incident.id}/transitions`, { action: 'verify' })).status).toBe(200);
    expect((await operator.post(`/api/incidents/${incident.id}/transitions`, { action: 'dispatch', orgId: 'gas-co' })).status).toBe(200);
    // Only admins read the log.
    expect((await operator.request('GET', '/api/notifications/messages')).status).toBe(403);
    const messages = () => admin.get<StoredMessage[]>('/api/notifications/messages');
    await expect.poll(async () => (await messages()).map((m) => [m.state, m.attempts]), { interval: 100 }).toEqual([['failed', 2]]);
    const [failed] = await messages();
    expect(failed).toMatchObject({ channel: 'wecom', recipient: 'gas-co', incidentId: incident.id, lastStatus: 500, lastError: 'the receiver answered 500' });

    const { page, pageErrors } = await openWebhooksPage();
    const row = page.locator(`[data-testid="message-row"][data-message="${failed!.id}"]`);
    await page.waitForSelector(`[data-testid="message-row"][data-message="${failed!.id}"][data-state="failed"]`, { timeout: 30_000 });
    expect(await page.locator('[data-testid="message-channels"]').innerText()).toContain('企业微信 → http://127.0.0.1:');
    expect(await row.locator('[data-testid="message-state"]').innerText()).toBe('失败');
    expect(await row.locator('[data-testid="message-result"]').innerText()).toBe('接收方返回 HTTP 500');
    expect(await row.innerText()).toContain(`【生命线】2级事件 #${incident.id}「通信井燃气异味」已派遣给贵单位，请及时接收处置。`);
    expect(await row.innerText()).toContain(`事件 #${incident.id}`);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'person-messages-1-failed.png'), fullPage: true });

    gatewayUp = true;
    await row.locator('[data-testid="retry-message"]').click();
    await page.waitForSelector(`[data-testid="message-row"][data-message="${failed!.id}"][data-state="sent"]`, { timeout: 30_000 });
    expect(await row.locator('[data-testid="message-state"]').innerText()).toBe('已发送');
    expect(await row.locator('[data-testid="retry-message"]').count()).toBe(0);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'person-messages-2-sent.png'), fullPage: true });
    await page.context().close();

    expect(gatewayCalls.map((c) => c.messageId)).toEqual([failed!.id, failed!.id, failed!.id]);
    expect(gatewayCalls[2]!.content).toBe(failed!.text);
    expect((await messages())[0]).toMatchObject({ state: 'sent', attempts: 3, lastStatus: 200, lastError: null });
    expect(pageErrors).toEqual([]);
  });

  it("sets the gas company's own robot on the page, and the next message to it goes there", async () => {
    const { page, pageErrors } = await openWebhooksPage();
    const form = page.locator('[data-testid="set-contact"]');
    await form.locator('select[name="orgId"]').selectOption('gas-co');
    await form.locator('select[name="channel"]').selectOption('wecom');
    await form.locator('input[name="address"]').fill(`${gatewayBase}/gas-robot?key=gas-only-key`);
    await form.locator('button[type="submit"]').click();
    const row = page.locator('[data-testid="contact-row"][data-org="gas-co"][data-channel="wecom"]');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toContain(gatewayBase);
    expect(await page.locator('[data-testid="webhooks-admin"]').innerText()).not.toContain('gas-only-key');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'person-messages-3-contact.png'), fullPage: true });

    const operator = await api(platform!, USERS.operator);
    const incident = (await operator.post<IncidentDto>('/api/incidents', { title: '调压箱异响', description: '调压箱 AS-01 附近异响', assetId: 'AS-01', level: 2 })).body;
    expect((await operator.post(`/api/incidents/${incident.id}/transitions`, { action: 'verify' })).status).toBe(200);
    expect((await operator.post(`/api/incidents/${incident.id}/transitions`, { action: 'dispatch', orgId: 'gas-co' })).status).toBe(200);
    await expect.poll(() => gatewayCalls.filter((c) => c.content.includes(`#${incident.id}`)).map((c) => c.path), { interval: 100, timeout: 20_000 }).toEqual(['/gas-robot']);

    await row.locator('[data-testid="remove-contact"]').click();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await page.context().close();
    expect(pageErrors).toEqual([]);
  });
});
