// The analysis in the operator console during the demo's scripted gas leak: the leak (replayed
// over HTTP ingestion as the simulator plays it) opens an incident; its analysis section shows the
// gas-pipe-leak verdict with its reasons, the ranked spaces, the valves to close and the
// evacuation radius, which it draws on the map. Screenshot in test-output/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDto } from '../../src/api/dto.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import en from '../../web/src/i18n/en.json' with { type: 'json' };
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { replayDemoLeak } from '../analysis/demo-leak.ts';
import { api } from '../support/api.ts';
import { launchChromium, openApp } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';
import { waitFor } from '../support/wait.ts';

const chromium = await chromiumService();
const OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-output');

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

describe.skipIf(!chromium.available)('incident analysis in the console', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let dataDir: string;
  let incident: IncidentDto;
  let pageErrors: string[];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'lifeline-e2e-analysis-'));
    platform = await startPlatform({ port: 0, mqttPort: 0, dataDir, demo: true, simulate: false, log: false, auth: 'required', deviceAuth: 'off' });
    await replayDemoLeak(platform.url);
    const operator = await api(platform);
    incident = await waitFor('the leak incident', async () => (await operator.get<IncidentDto[]>('/api/incidents')).find((i) => i.assetId === 'AS-02'));
    browser = await launchChromium();
    const opened = await openApp(browser, platform, { viewport: { width: 1400, height: 1000 } });
    page = opened.page;
    pageErrors = opened.pageErrors;
    mkdirSync(OUTPUT_DIR, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('has every analysis text in both languages', () => {
    expect(keys(en.analysis)).toEqual(keys(zhCN.analysis));
  });

  it('shows the pipe-leak verdict, the ranked spaces, the valves and the evacuation radius, and draws them on the map', async () => {
    const item = page.locator(`[data-testid="incident-item"][data-incident-id="${incident.id}"]`);
    await item.waitFor({ timeout: 30_000 });
    await item.locator('[data-testid="analysis-toggle"]').click();
    const source = item.locator('[data-testid="analysis-result"][data-kind="gas_source"]');
    await source.waitFor({ timeout: 30_000 });
    expect(await source.getAttribute('data-verdict')).toBe('pipe_leak');
    expect(await source.locator('[data-testid="analysis-verdict"]').innerText()).toBe(zhCN.analysis.verdict.pipe_leak);
    expect(await source.locator('.analysis-reasons').innerText()).toContain(zhCN.analysis.reason.pressureDrop);
    expect(await source.locator('[data-testid="analysis-evidence"]').innerText()).toContain('GP-001.p');

    const spread = item.locator('[data-testid="analysis-gas-spread"]');
    expect(await spread.locator('[data-testid="analysis-space"]').first().innerText()).toContain('AS-02');
    expect(await spread.locator('[data-testid="analysis-valves"]').innerText()).toContain('GN03, GN04');
    expect(await spread.locator('[data-testid="analysis-evacuation"]').innerText()).toMatch(/疏散半径 \d+ 米/);

    await spread.locator('[data-testid="analysis-show-map"]').click();
    await page.waitForSelector('body[data-analysis-overlay]', { timeout: 10_000 });
    // The evacuation circle, AS-02 and the two valves.
    expect(Number(await page.evaluate(() => document.body.dataset.analysisOverlay))).toBeGreaterThanOrEqual(4);
    await item.scrollIntoViewIfNeeded();
    await page.evaluate(() => new Promise<void>((resolve) => {
      const map = window.lifelineMap;
      if (!map || map.loaded()) resolve();
      else map.once('idle', () => resolve());
    }));
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'analysis-console.png') });
    expect(pageErrors).toEqual([]);
  });
});
