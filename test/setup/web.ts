// Builds the web app once before any test file runs; the platforms tests start never rebuild it
// (BUILD_WEB=false in vitest.config.ts), so no test can empty web/dist under another's browser.
import { ensureWebBuilt } from '../../src/platform/web-build.ts';

export default async function setup(): Promise<void> {
  await ensureWebBuilt((message) => console.log(message));
}
