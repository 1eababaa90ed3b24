// Launches the system Chromium (CHROMIUM_PATH) headless for browser end-to-end tests.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SESSION_COOKIE } from '../../src/api/index.ts';
import { startPlatform, type Platform, type PlatformOptions } from '../../src/platform/index.ts';
import { USERS } from './api.ts';
import { CHROMIUM_PATH } from './services.ts';
import { tempDir } from './tmp.ts';

/** Where browser tests write their screenshots. */
export const OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-output');

/** Headless, no GPU (SwiftShader renders WebGL), and no traffic of Chromium's own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--enable-unsafe-swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Logs a browser context in as `userId` by giving it a session cookie (the login page itself is tested in test/e2e/login.test.ts). */
export async function logIn(context: BrowserContext, platform: Pick<Platform, 'url' | 'login'>, userId: string = USERS.operator): Promise<string> {
  const token = await platform.login(userId);
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: platform.url, httpOnly: true, sameSite: 'Strict' }]);
  return token;
}

export interface OpenedPage {
  page: Page;
  /** Session token of the logged-in user; null when opened without a login. */
  token: string | null;
  /** Uncaught errors in the page. */
  pageErrors: string[];
  /** Requests that left the platform's origin (the app must fetch nothing from elsewhere). */
  foreignRequests: string[];
}

/**
 * Opens the web app in a fresh context, logged in as `user` (null: no login), records page
 * errors and foreign requests from the start, and waits until the app reports itself ready
 * (`waitReady: false` for pages that stop earlier, such as the login page).
 */
export async function openApp(
  browser: Browser,
  platform: Pick<Platform, 'url' | 'login'>,
  options: { locale?: string; viewport?: { width: number; height: number }; user?: string | null; waitReady?: boolean; beforeLoad?: (page: Page) => void } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({ locale: options.locale ?? 'zh-CN', viewport: options.viewport ?? { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const user = options.user === undefined ? USERS.operator : options.user;
  const token = user === null ? null : await logIn(context, platform, user);
  const page = await context.newPage();
  const origin = new URL(platform.url).origin;
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreignRequests.push(url);
  });
  options.beforeLoad?.(page);
  await page.goto(platform.url);
  if (options.waitReady !== false) await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, token, pageErrors, foreignRequests };
}

export interface BrowserStage {
  platform: Platform;
  browser: Browser;
  /** Closes the browser, stops the platform and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * What every browser test starts with: the platform with the demo city (no simulator, no log, any
 * free ports) in a data directory of its own, `options` on top; Chromium; the screenshot folder.
 */
export async function startBrowserStage(label: string, options: PlatformOptions = {}): Promise<BrowserStage> {
  const data = tempDir(`e2e-${label}`);
  const platform = await startPlatform({ port: 0, mqttPort: 0, dataDir: data.dir, demo: true, simulate: false, log: false, ...options });
  const browser = await launchChromium();
  mkdirSync(OUTPUT_DIR, { recursive: true });
  return {
    platform, browser,
    stop: async () => {
      await browser.close();
      await platform.stop();
      data.remove();
    },
  };
}

export type DemoInBrowser = BrowserStage & OpenedPage;

/** Starts the platform with the demo city (no simulator) and opens the app in Chromium. */
export async function openDemoInBrowser(options: { locale?: string } = {}): Promise<DemoInBrowser> {
  const stage = await startBrowserStage('demo');
  return { ...stage, ...(await openApp(stage.browser, stage.platform, options)) };
}
