import { ConfigError } from '../config/index.ts';

/** AUTH: `required` (default) — every non-public route needs a login; `off` — everyone is an anonymous admin. */
export type AuthMode = 'required' | 'off';

export function readAuthMode(env: Record<string, string | undefined> = process.env): AuthMode {
  const raw = env.AUTH;
  if (raw === undefined || raw === '' || raw === 'required') return 'required';
  if (raw === 'off') return 'off';
  throw new ConfigError(`AUTH=${raw}: expected required or off`);
}
