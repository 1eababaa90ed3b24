// The analysis in the operator console during the demo's scripted gas leak: the leak (replayed
// over HTTP ingestion as the simulator plays it) opens an incident; its analysis section shows the
// gas-pipe-leak verdict with its reasons, the ranked spaces, the valves to close and the
// evacuation radius, which it draws on the map. Screenshot in test-output/.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentAnalysisDto } from '../../src/api/analysis-routes.ts';
import type { IncidentDto } from '../../src/api/dto.ts';
import type { Platform } from '../../src/platform/index.ts';
import en from '../../web/src/i18n/en.json' with { type: 'json' };
import zhCN from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { replayDemoLeak } from '../analysis/demo-leak.ts';
import { replayDemoStormAndBridge } from '../analysis/demo-storm-bridge.ts';
import { api } from '../support/api.ts';
import { type BrowserStage, openApp, OUTPUT_DIR, startBrowserStage } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';
import { waitFor } from '../support/wait.ts';

const chromium = await chromiumService();

/** A message template filled as the console's i18next does: `{{name}}` verbatim, `{{name, number}}` through Intl for the language. */
function fill(template: string, params: Record<string, number | string>, language: string): string {
  return template.replace(/\{\{(\w+)(, number)?\}\}/g, (_, name: string, number?: string) => {
    const value = params[name]!;
    return number && typeof value === 'number' ? new Intl.NumberFormat(language).format(value) : String(value);
  });
}

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

describe.skipIf(!chromium.available)('incident analysis in the console', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let stage: BrowserStage | undefined;
  let page: Page;
  let incident: IncidentDto;
  let analysis: IncidentAnalysisDto;
  let pageErrors: string[];

  beforeAll(async () => {
    ({ platform, browser } = stage = await startBrowserStage('analysis', { auth: 'required', deviceAuth: 'off' }));
    await replayDemoLeak(platform.url);
    await replayDemoStormAndBridge(platform.url);
    const operator = await api(platform);
    incident = await waitFor('the leak incident', async () => (await operator.get<IncidentDto[]>('/api/incidents')).find((i) => i.assetId === 'AS-02'));
    analysis = await operator.get<IncidentAnalysisDto>(`/api/incidents/${incident.id}/analysis`);
    const opened = await openApp(browser, platform, { viewport: { width: 1400, height: 1000 } });
    page = opened.page;
    pageErrors = opened.pageErrors;
  }, 180_000);

  afterAll(async () => {
    await stage?.stop();
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
    // The conclusion and each reason in Chinese, with the numbers of the API's result.
    const sourceResult = analysis.analyses.flatMap((a) => a.results).find((r) => r.kind === 'gas_source')!;
    expect(sourceResult.message.key).toBe('gasSource.pipe_leak');
    expect(await source.locator('[data-testid="analysis-conclusion"]').innerText())
      .toBe(fill(zhCN.analysis.message.gasSource.pipe_leak, sourceResult.message.params, 'zh-CN'));
    expect(await source.locator('[data-testid="analysis-conclusion"]').innerText()).toMatch(/^AS-02 内的可燃气体很可能来自燃气管道泄漏（评分 [\d.]+，置信度 0\.\d+）。$/);
    const drop = (sourceResult.detail as { reasons: { key: string; params: Record<string, number | string> }[] }).reasons.find((r) => r.key === 'pressureDrop')!;
    expect(await source.locator('.analysis-reasons').innerText()).toContain(fill(zhCN.analysis.reason.pressureDrop, drop.params, 'zh-CN'));
    expect(await source.locator('.analysis-reasons').innerText()).toContain('GP-001.p 压力下降');
    const spreadResult = analysis.analyses.flatMap((a) => a.results).find((r) => r.kind === 'gas_spread')!;
    expect(await item.locator('[data-testid="analysis-result"][data-kind="gas_spread"] [data-testid="analysis-conclusion"]').innerText())
      .toBe(fill(zhCN.analysis.message.gasSpread.reachIsolate, spreadResult.message.params, 'zh-CN'));
    // The English template gives back the API's own sentence: the two say the same thing.
    expect(fill(en.analysis.message.gasSpread.reachIsolate, spreadResult.message.params, 'en')).toBe(spreadResult.conclusion);
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

  it('shows the bridge checks of BS-01 and the blockage check of DN02 from the demo storm, in Chinese', async () => {
    const operator = await api(platform!);
    const incidents = await waitFor('the bridge and storm incidents', async () => {
      const list = await operator.get<IncidentDto[]>('/api/incidents');
      const bridge = list.find((i) => i.assetId === 'BS-01');
      const storm = list.find((i) => i.assetId === 'DN02');
      return bridge && storm ? { bridge, storm } : undefined;
    });
    const bridgeAnalysis = await operator.get<IncidentAnalysisDto>(`/api/incidents/${incidents.bridge.id}/analysis`);
    const drift = bridgeAnalysis.analyses.flatMap((a) => a.results).find((r) => r.model.name === 'bridge/frequency-drift')!;
    const bridgeItem = page.locator(`[data-testid="incident-item"][data-incident-id="${incidents.bridge.id}"]`);
    await bridgeItem.waitFor({ timeout: 30_000 });
    await bridgeItem.locator('[data-testid="analysis-toggle"]').click();
    const frequency = bridgeItem.locator('[data-testid="analysis-result"][data-kind="bridge"][data-verdict="frequency_drift"]');
    await frequency.waitFor({ timeout: 30_000 });
    expect(await frequency.locator('[data-testid="analysis-conclusion"]').innerText()).toBe(fill(zhCN.analysis.message.bridge.frequencyDrift, drift.message.params, 'zh-CN'));
    expect(await bridgeItem.locator('[data-testid="analysis-result"][data-kind="bridge"][data-verdict="overload"]').count()).toBe(2);

    const stormItem = page.locator(`[data-testid="incident-item"][data-incident-id="${incidents.storm.id}"]`);
    await stormItem.waitFor({ timeout: 30_000 });
    await stormItem.locator('[data-testid="analysis-toggle"]').click();
    const blockage = stormItem.locator('[data-testid="analysis-result"][data-kind="drainage_diagnosis"]');
    await blockage.waitFor({ timeout: 30_000 });
    expect(await blockage.locator('[data-testid="analysis-conclusion"]').innerText()).toMatch(/^DN02 与 DN\d+ 之间未见堵塞特征/);
    await bridgeItem.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'analysis-console-bridge.png') });
    expect(pageErrors).toEqual([]);
  });
});
