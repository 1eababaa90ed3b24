// Logging in through the page: the app opens on the login form, a wrong password is refused
// with the reason, the right one opens the command centre with the user in the header (the
// session is an HttpOnly cookie, the live feed connects with it), and logout returns to the form.
// An owner unit's dispatcher logs in separately and sees only its own sensors.
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/platform/index.ts';
import en from '../../web/src/i18n/en.json' with { type: 'json' };
import zh from '../../web/src/i18n/zh-CN.json' with { type: 'json' };
import { USERS } from '../support/api.ts';
import { type BrowserStage, OUTPUT_DIR, startBrowserStage } from '../support/browser.ts';
import { chromiumService } from '../support/services.ts';

const chromium = await chromiumService();
const PASSWORD = 'operator password 1';

describe.skipIf(!chromium.available)('login page', () => {
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let stage: BrowserStage | undefined;

  beforeAll(async () => {
    ({ platform, browser } = stage = await startBrowserStage('login'));
    // First-start passwords are printed once; the test sets its own, as `lifeline users passwd` would.
    await platform.auth!.setPassword(USERS.operator, PASSWORD);
    await platform.auth!.setPassword(USERS.gas, 'gas company password');
  }, 120_000);

  afterAll(async () => {
    await stage?.stop();
  });

  it('refuses a wrong password, logs in, shows the user and logs out (zh-CN)', async () => {
    const context = await browser!.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(platform!.url);
    const form = page.locator('[data-testid="login"]');
    await form.waitFor({ timeout: 30_000 });
    expect(await form.locator('h1').innerText()).toBe(zh.login.title);

    await page.fill('input[name="user"]', USERS.operator);
    await page.fill('input[name="password"]', 'not the password');
    await page.click('button[type="submit"]');
    await expect.poll(() => form.locator('[role="alert"]').innerText(), { timeout: 10_000 }).toBe(zh.login.wrong);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'login-refused.png') });

    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const user = page.locator('[data-testid="user"]');
    expect(await user.innerText()).toContain('监测中心');
    await page.waitForSelector('[data-testid="connection"][data-status="open"]', { timeout: 30_000 });
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'lifeline_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'login-operator.png') });

    await user.getByRole('button', { name: zh.login.logout }).click();
    await form.waitFor({ timeout: 10_000 });
    expect((await context.cookies()).find((c) => c.name === 'lifeline_session')).toBeUndefined();
    // The old session is gone on the server too: reloading stays on the login page.
    await page.reload();
    await form.waitFor({ timeout: 10_000 });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('logs an owner unit in to its own sensors only (en)', async () => {
    const context = await browser!.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(platform!.url);
    await page.locator('[data-testid="login"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="login"] h1').innerText()).toBe(en.login.title);
    await page.fill('input[name="user"]', USERS.gas);
    await page.fill('input[name="password"]', 'gas company password');
    await page.click('button[type="submit"]');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('[data-testid="user"]').innerText()).toContain('燃气公司');
    const networks = await page.evaluate(async () => {
      const response = await fetch('/api/sensors');
      return [...new Set(((await response.json()) as { network: string }[]).map((s) => s.network))];
    });
    expect(networks).toEqual(['gas']);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'login-gas-dispatcher.png') });
    await context.close();
  }, 120_000);
});
