// Launches the system Chromium (CHROMIUM_PATH) headless for browser end-to-end tests.
import { chromium, type Browser } from 'playwright-core';
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
