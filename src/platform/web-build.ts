import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
export const WEB_ROOT = path.join(PROJECT_ROOT, 'web', 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the web app when web/dist is missing or older than its sources (a fresh clone, a pull). */
export async function ensureWebBuilt(log: (message: string) => void): Promise<void> {
  const index = path.join(WEB_ROOT, 'index.html');
  const sources = [path.join(PROJECT_ROOT, 'web', 'src'), path.join(PROJECT_ROOT, 'web', 'index.html')];
  const sourceTime = Math.max(...sources.map((s) => (statSync(s).isDirectory() ? newestMtime(s) : statSync(s).mtimeMs)));
  if (existsSync(index) && statSync(index).mtimeMs >= sourceTime) return;
  log('building the web app (first start or changed sources)…');
  const { build } = await import('vite');
  // Only errors: a newcomer's first start should not scroll bundler advice past the URL.
  await build({ configFile: path.join(PROJECT_ROOT, 'web', 'vite.config.ts'), logLevel: 'error' });
}
