import net from 'node:net';
import { ConfigError } from './env.ts';

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * The port to listen on. A port the operator set is used as given (a clash then fails in
 * listen, see listenError); an unset one takes the default, or the next free port after it,
 * as Vite does.
 */
export async function choosePort(requested: number | undefined, fallback: number, host: string): Promise<number> {
  if (requested !== undefined) return requested;
  for (let port = fallback; port < fallback + 100 && port <= 65535; port++) {
    if (await isFree(port, host)) return port;
  }
  throw new ConfigError(`no free port in ${fallback}–${fallback + 99}`);
}

/** Turns a listen failure into the one-line error the operator needs. */
export function listenError(error: unknown, variable: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new ConfigError(`${variable}=${port}: port ${port} is already in use; set ${variable} to a free port`);
  if (code === 'EACCES') return new ConfigError(`${variable}=${port}: permission denied for port ${port}`);
  return error instanceof Error ? error : new Error(String(error));
}
