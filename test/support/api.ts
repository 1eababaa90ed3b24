// An authenticated client of a running platform: tests call the API as a logged-in user, the way
// the web app and integrations do. `platform.login(userId)` opens a session without the password
// (first-start passwords are generated per deployment and printed once).
import WebSocket from 'ws';
import type { Platform } from '../../src/platform/index.ts';

/** The demo city's first-start accounts (src/auth/demo.ts). */
export const USERS = {
  admin: 'admin',
  supervisor: 'bureau-supervisor',
  operator: 'centre-operator',
  gas: 'gas-co-dispatcher',
  water: 'water-co-dispatcher',
  drainage: 'drain-co-dispatcher',
} as const;

export interface ApiClient {
  token: string;
  headers: Record<string, string>;
  /** GET, failing on a status other than 200. */
  get<T>(path: string): Promise<T>;
  /** Any request, answering status and parsed JSON body. */
  request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  post<T>(path: string, body: unknown): Promise<{ status: number; body: T }>;
  /** The live WebSocket (or another ws path) with this session. */
  ws(path?: string): WebSocket;
}

export function clientWithToken(baseUrl: string, token: string): ApiClient {
  const headers = { authorization: `Bearer ${token}` };
  const request = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    token, headers, request,
    async get<T>(path: string) {
      const response = await fetch(`${baseUrl}${path}`, { headers });
      if (!response.ok) throw new Error(`GET ${path} → ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    post: (path, body) => request('POST', path, body),
    ws: (path = '/api/live') => new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`, { headers }),
  };
}

/** A client logged in as `userId` (default: the monitoring centre's operator, who sees the whole city). */
export async function api(platform: Pick<Platform, 'url' | 'login'>, userId: string = USERS.operator): Promise<ApiClient> {
  return clientWithToken(platform.url, await platform.login(userId));
}
