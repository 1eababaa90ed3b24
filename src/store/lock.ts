import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/index.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims DATA_DIR for this process: PGlite has no cross-process locking, and two processes on
 * one directory corrupt it. A lock left by a process that is gone is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'lifeline.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && alive(holder)) {
        throw new ConfigError(
          `DATA_DIR=${dataDir}: in use by process ${holder} (one process per data directory); stop it, or use its API, or set another DATA_DIR`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new ConfigError(`DATA_DIR=${dataDir}: could not take the lock file ${file}`);
}
