import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export function tempDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), `lifeline-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A topic prefix of this test's own, so tests sharing one broker never see each other's messages. */
export function topicPrefix(label: string): string {
  return `test-${label}-${randomBytes(4).toString('hex')}`;
}
