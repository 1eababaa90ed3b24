// Launches the system Chromium (CHROMIUM_PATH) headless for browser end-to-end tests.
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { SESSION_COOKIE } from '../../src/api/index.ts';
import type { Platform } from '../../src/platform/index.ts';
import { USERS } from './api.ts';
import { CHROMIUM_PATH } from './services.ts';

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
