// The one place the browser talks to the backend: typed fetches for the REST routes and the
// reconnecting live WebSocket. Types come straight from the backend's contract.
import type {
  AlarmDto,
  AreaCollection,
  AreaStatsDto,
  AssetCollection,
  AssetDetailDto,
  DeadLetterDto,
  DeviceHealthDto,
  HealthDto,
  IncidentAction,
  IncidentDto,
  IsolationDto,
  LiveMessage,
  NearbyDto,
  Network3dDto,
  NetworkKind,
  SensorDto,
  SeriesDto,
  ThresholdRuleDto,
  TileSetDto,
  TraceDto,
} from '../../src/api/dto.ts';
import type { AuthCountsDto } from '../../src/ingest/auth-counters.ts';
import type { DeadLetterCount } from '../../src/ingest/dead-letters.ts';
import type { PipelineStats } from '../../src/ingest/pipeline.ts';

export type * from '../../src/api/dto.ts';

/** GET /api/ingest/stats: refused logins since start, the ingest queue, dead letters per device. */
export interface IngestStatsDto {
  auth: AuthCountsDto;
  pipeline: PipelineStats;
  deadLetters: DeadLetterCount[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Who is logged in: GET /api/auth/me. */
export interface MeDto {
  userId: string;
  name: string;
  orgId: string | null;
  orgName: string | null;
  orgKind: 'bureau' | 'operator' | 'owner' | null;
  roles: string[];
  via: 'session' | 'token' | 'off';
  /** The networks an owner unit owns assets on; null: all (centre, bureau, admin). */
  networks?: NetworkKind[] | null;
}

let onUnauthorised: () => void = () => undefined;
/** Called when the server answers 401 (the session ended or expired): the app shows the login page. */
export function setUnauthorisedHandler(handler: () => void): void {
  onUnauthorised = handler;
}

// The session is an HttpOnly cookie set by POST /api/auth/login: the browser sends it with every
// request and with the live WebSocket's upgrade, and no script can read it. Every typed API file
// (web/src/api/*.ts) calls the backend through this one function, so a 401 anywhere shows the login
// page and every refusal arrives as an ApiError carrying the server's reason.
/** A JSON call; `accept` lists refusal statuses whose body the caller reads itself (e.g. an import's per-row report). */
export async function requestJson<T>(path: string, init?: RequestInit, accept: readonly number[] = []): Promise<T> {
  const res = await fetch(path, {
    ...init,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}) },
  });
  if (res.status === 401 && !path.startsWith('/api/auth/')) onUnauthorised();
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: a refusal keeps the status line below
  }
  if (!res.ok && !accept.includes(res.status)) {
    const reason = body && typeof body === 'object' && 'error' in body && typeof body.error === 'string' ? body.error : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, reason);
  }
  return body as T;
}
const request = requestJson;

/** What GET /api/sensors/:id/series may be asked for; `auto` lets the server pick by span. */
export type SeriesResolution = 'auto' | SeriesDto['resolution'];

export interface SeriesQuery {
  from: Date;
  /** Exclusive. */
  to: Date;
  resolution?: SeriesResolution;
}

export const api = {
  health: () => request<HealthDto>('/api/health'),
  me: () => request<MeDto>('/api/auth/me'),
  login: (user: string, password: string) =>
    request<{ expiresAt: string; user: { id: string } }>('/api/auth/login', { method: 'POST', body: JSON.stringify({ user, password }) }),
  logout: () => request<{ ok: true }>('/api/auth/logout', { method: 'POST', body: '{}' }),
  assets: () => request<AssetCollection>('/api/assets'),
  sensors: () => request<SensorDto[]>('/api/sensors'),
  alarms: (state: 'active' | 'all' = 'active') => request<AlarmDto[]>(`/api/alarms?state=${state}`),
  incidents: () => request<IncidentDto[]>('/api/incidents'),
  deadLetters: () => request<DeadLetterDto[]>('/api/dead-letters'),
  /** One row per device: battery, signal, last seen, dead letters in 24 h and the worst status. */
  deviceHealth: () => request<DeviceHealthDto[]>('/api/devices/health'),
  ingestStats: () => request<IngestStatsDto>('/api/ingest/stats'),
  /** One sensor's min/max/avg/count series, oldest first. */
  series: (sensorId: string, { from, to, resolution = 'auto' }: SeriesQuery, signal?: AbortSignal) => {
    const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), resolution });
    return request<SeriesDto>(`/api/sensors/${encodeURIComponent(sensorId)}/series?${query}`, signal ? { signal } : undefined);
  },
  /** The network's vector tile set (the map's pipes and nodes). */
  tileSet: () => request<TileSetDto>('/api/network/tiles.json'),
  asset: (id: string) => request<AssetDetailDto>(`/api/network/assets/${encodeURIComponent(id)}`),
  trace: (id: string, direction: TraceDto['direction']) =>
    request<TraceDto>(`/api/network/assets/${encodeURIComponent(id)}/trace?direction=${direction}`),
  isolation: (id: string) => request<IsolationDto>(`/api/network/assets/${encodeURIComponent(id)}/isolation`),
  nearest: (lon: number, lat: number, k = 1, network?: NetworkKind) =>
    request<NearbyDto[]>(`/api/network/nearest?lon=${lon}&lat=${lat}&k=${k}${network ? `&network=${network}` : ''}`),
  /** Geometry of the listed assets, for highlights. */
  features: (ids: string[]) => request<AssetCollection>('/api/network/features', { method: 'POST', body: JSON.stringify({ ids }) }),
  network3d: (bbox: [number, number, number, number], max = 40_000, signal?: AbortSignal) =>
    request<Network3dDto>(`/api/network/3d?bbox=${bbox.map((v) => v.toFixed(6)).join(',')}&max=${max}`, signal ? { signal } : undefined),
  areas: () => request<AreaCollection>('/api/network/areas'),
  areaStats: () => request<AreaStatsDto[]>('/api/network/areas/stats'),
  sensorRules: (sensorId: string, signal?: AbortSignal) =>
    request<ThresholdRuleDto[]>(`/api/sensors/${encodeURIComponent(sensorId)}/rules`, signal ? { signal } : undefined),
  transition: (id: string, action: IncidentAction, actor: string, note?: string) =>
    request<IncidentDto>(`/api/incidents/${encodeURIComponent(id)}/transitions`, {
      method: 'POST',
      body: JSON.stringify(note ? { action, actor, note } : { action, actor }),
    }),
};

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

export interface LiveHandlers {
  onMessage(message: LiveMessage): void;
  onStatus(status: ConnectionStatus): void;
}

/**
 * Opens /api/live and keeps it open: when the socket drops it reconnects with exponential
 * back-off (1 s doubling to 30 s, with jitter), resetting after a successful connection.
 * Returns a function that closes the socket for good.
 */
export function connectLive(handlers: LiveHandlers): () => void {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = 1000;
  let stopped = false;

  const open = () => {
    if (stopped) return;
    handlers.onStatus('connecting');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      delay = 1000;
      handlers.onStatus('open');
    };
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let message: LiveMessage;
      try {
        message = JSON.parse(event.data) as LiveMessage;
      } catch {
        console.warn('lifeline: ignoring malformed live message');
        return;
      }
      handlers.onMessage(message);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (stopped) return;
      handlers.onStatus('closed');
      const wait = delay * (0.8 + Math.random() * 0.4);
      delay = Math.min(delay * 2, 30_000);
      timer = setTimeout(open, wait);
    };
    // An error is always followed by close, which schedules the reconnect.
    ws.onerror = () => undefined;
  };

  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    socket?.close();
    socket = null;
  };
}
