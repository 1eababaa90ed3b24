// The incident console in a real browser, accounts off (the console's "acting as" persona names
// role and unit): the centre operator verifies and dispatches a patrol report, the gas company's
// field crew accepts, arrives and disposes with feedback, the operator closes; the audit timeline
// shows every step and its chain verifies; an overdue incident is highlighted and filtered; a
// viewer gets no buttons. Screenshots in test-output/.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDto } from '../../src/api/dto.ts';
import type { Platform } from '../../src/platform/index.ts';
import en from '../../web/src/i18n/en.json' with { type: 'json' };
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { type BrowserStage, OUTPUT_DIR, startBrowserStage } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';
import { postJson } from '../support/wait.ts';

const chromium = await chromiumService();
const zh = zhCN.incidents;

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

describe.skipIf(!chromium.available)('incident console in a browser', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let stage: BrowserStage | undefined;
  let page: Page;
  let incident: IncidentDto;
  let late: IncidentDto;
  let offsetMs = 0;
  const pageErrors: string[] = [];

  const item = (id: string) => page.locator(`[data-testid="incident-item"][data-incident-id="${id}"]`);
  const stateOf = async (id: string, state: string) => {
    await page.waitForSelector(`[data-testid="incident-item"][data-incident-id="${id}"][data-state="${state}"]`, { timeout: 15_000 });
  };
  const persona = async (role: string, orgId: string) => {
    const box = page.locator('[data-testid="persona"]');
    await box.locator('select').nth(0).selectOption(role);
    await box.locator('select').nth(1).selectOption(orgId);
  };

  beforeAll(async () => {
    ({ platform, browser } = stage = await startBrowserStage('incidents', {
      slaCheckMs: 200, clock: () => new Date(Date.now() + offsetMs), auth: 'off',
    }));
    const as = { name: '巡查 郑', role: 'centre_operator', orgId: 'centre' };
    // One incident reported "10 minutes ago" at level 1: its 5-minute verify deadline has passed.
    offsetMs = -10 * 60_000;
    late = (await postJson<IncidentDto>(`${platform.url}/api/incidents`, { title: '路面塌陷', description: '路面塌陷，疑似供水管渗漏', assetId: 'AS-01', level: 1, as })).body;
    offsetMs = 0;
    incident = (await postJson<IncidentDto>(`${platform.url}/api/incidents`, { title: '通信井燃气异味', description: '巡查发现通信井有燃气味', assetId: 'AS-01', level: 2, as })).body;

    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(platform.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await stage?.stop();
  });

  it('has every console text in both languages', () => {
    expect(keys(en.incidents)).toEqual(keys(zhCN.incidents));
  });

  it('highlights the overdue incident, escalated by the server, and filters to it', async () => {
    await page.waitForSelector(`[data-testid="incident-item"][data-incident-id="${late.id}"][data-overdue="true"]`, { timeout: 15_000 });
    await item(late.id).locator('.escalated').waitFor({ timeout: 15_000 });
    expect(await item(late.id).locator('[data-testid="deadline"]').innerText()).toContain('已超时');
    expect(await item(incident.id).getAttribute('data-overdue')).toBe('false');
    // The demo city seeds incidents of its own (e.g. a drainage work order), so the lists are
    // compared with what the server holds rather than with fixed counts.
    const listed = async (query: string) => (await (await fetch(`${platform!.url}/api/incidents${query}`)).json()) as IncidentDto[];
    const overdue = await listed('?overdue=true');
    expect(overdue.map((i) => i.id)).toContain(late.id);
    expect(overdue.map((i) => i.id)).not.toContain(incident.id);
    await page.locator('[data-testid="filter-overdue"]').click();
    await expect.poll(() => page.locator('[data-testid="incident-item"]').count()).toBe(overdue.length);
    await page.locator('[data-testid="filter-all"]').click();
    const all = await listed('');
    expect(all.length).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.locator('[data-testid="incident-item"]').count()).toBe(all.length);
  });

  it('runs the loop: operator verifies and dispatches, the crew accepts, arrives and disposes, the operator closes', async () => {
    const id = incident.id;
    await persona('centre_operator', 'centre');
    expect(await item(id).locator('[data-testid="state-chip"]').innerText()).toBe(zh.state.reported);
    await item(id).locator('[data-testid="action-verify"]').click();
    await stateOf(id, 'verified');
    await item(id).locator('[data-testid="action-dispatch"]').click();
    expect(await item(id).locator('[data-testid="dispatch-unit"]').inputValue()).toBe('gas-co');
    await item(id).locator('[data-testid="action-confirm"]').click();
    await stateOf(id, 'dispatched');
    expect(await item(id).locator('[data-testid="deadline"]').innerText()).toContain(zh.stage.accept);

    // The water company's crew may not touch the gas company's incident: no buttons.
    await persona('field_crew', 'water-co');
    expect(await item(id).locator('.actions button').count()).toBe(0);
    await persona('field_crew', 'gas-co');
    await item(id).locator('[data-testid="action-accept"]').click();
    await stateOf(id, 'accepted');
    await item(id).locator('[data-testid="action-arrive"]').click();
    await stateOf(id, 'on_site');
    await item(id).locator('[data-testid="action-dispose"]').click();
    await item(id).locator('[data-testid="action-reason"]').fill('关闭上游阀门，通风后复测 0 %LEL');
    await item(id).locator('[data-testid="action-confirm"]').click();
    await stateOf(id, 'disposed');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'incident-console-disposed.png') });

    await persona('centre_operator', 'centre');
    await item(id).locator('[data-testid="action-close"]').click();
    await stateOf(id, 'closed');

    await item(id).locator('[data-testid="timeline-toggle"]').click();
    const timeline = item(id).locator('[data-testid="timeline"] li');
    expect(await timeline.count()).toBe(7);
    expect(await timeline.nth(5).innerText()).toContain('关闭上游阀门');
    await item(id).locator('[data-testid="verify-chain"]').click();
    const chain = item(id).locator('[data-testid="chain-result"]');
    await chain.waitFor();
    expect(await chain.innerText()).toBe(zh.chainOk.replace('{{count}}', '7'));
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'incident-console-closed.png') });
  });

  it('shows a viewer no actions and keeps the reason required for rejection', async () => {
    await persona('viewer', 'bureau');
    expect(await item(late.id).locator('.actions button').count()).toBe(0);
    await persona('centre_operator', 'centre');
    await item(late.id).locator('[data-testid="action-reject"]').click();
    await item(late.id).locator('[data-testid="action-confirm"]').click();
    // The browser refuses an empty reason; nothing was sent.
    expect(await item(late.id).getAttribute('data-state')).toBe('reported');
    await item(late.id).locator('[data-testid="action-reason"]').fill('重复上报');
    await item(late.id).locator('[data-testid="action-confirm"]').click();
    await stateOf(late.id, 'rejected');
    expect(pageErrors).toEqual([]);
  });
});
