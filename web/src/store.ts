// Client-side state of the command centre: a snapshot from the REST API kept current by the live
// WebSocket. Plain TypeScript (no React) so the update rules are easy to read and to test.
import {
  api,
  ApiError,
  connectLive,
  type AlarmDto,
  type ConnectionStatus,
  type DeadLetterDto,
  type DeviceHealthDto,
  type IncidentDto,
  type IngestStatsDto,
  type LiveMessage,
  type SensorDto,
  type TileSetDto,
  type WarningLevel,
} from './api.ts';
import { OFFLINE_RULE } from './colors.ts';
import { alertingApi } from './api/alerting.ts';

export interface LifelineState {
  /** The network's vector tile set; the map draws pipes and nodes from its tiles. */
  tileSet: TileSetDto | null;
  sensors: SensorDto[];
  /** Active alarms, newest first. */
  alarms: AlarmDto[];
  incidents: IncidentDto[];
  deadLetters: DeadLetterDto[];
  /** Per-device health, polled; null until the first answer. */
  deviceHealth: DeviceHealthDto[] | null;
  /** Ingest counters, polled; null until the first answer. */
  ingestStats: IngestStatsDto | null;
  connection: ConnectionStatus;
  /** True once the first snapshot of sensors, alarms and incidents has arrived. */
  synced: boolean;
  /** Last failed load, shown in the header until the next success. */
  error: string | null;
}

const initialState: LifelineState = {
  tileSet: null,
  sensors: [],
  alarms: [],
  incidents: [],
  deadLetters: [],
  deviceHealth: null,
  ingestStats: null,
  connection: 'connecting',
  synced: false,
  error: null,
};

/** How often device health and ingest counters are polled (they have no live message). */
export const HEALTH_POLL_MS = 15_000;

const newestFirst = (a: { openedAt: string }, b: { openedAt: string }) => Date.parse(b.openedAt) - Date.parse(a.openedAt);
const isNewer = (next: string, current: string) => Date.parse(next) >= Date.parse(current);

/** Pure update rules for one live message. */
export function applyLive(state: LifelineState, message: LiveMessage): LifelineState {
  switch (message.type) {
    case 'hello':
    case 'resync':
      return state;
    case 'alarm':
      return applyAlarm(state, message.alarm);
    case 'incident':
      return applyIncident(state, message.incident);
    case 'readings':
      return applyReadings(state, message.readings);
    case 'notification':
      // The alarms it lists arrive as `alarm` messages too; the list shows them from there.
      return state;
  }
}

function applyAlarm(state: LifelineState, alarm: AlarmDto): LifelineState {
  const existing = state.alarms.find((a) => a.id === alarm.id);
  if (existing && !isNewer(alarm.updatedAt, existing.updatedAt)) return state;
  const others = state.alarms.filter((a) => a.id !== alarm.id);
  const alarms = alarm.state === 'active' ? [...others, alarm].sort(newestFirst) : others;

  // The sensor shows its most severe value alarm, else offline while silent, else normal.
  // An offline alarm's value is the silence in seconds, not a reading: it never becomes `latest`.
  const active = alarms.filter((a) => a.sensorId === alarm.sensorId);
  const valueAlarms = active.filter((a) => a.ruleId !== OFFLINE_RULE);
  const level = valueAlarms.length ? (Math.min(...valueAlarms.map((a) => a.level)) as WarningLevel) : null;
  const offline = active.length > valueAlarms.length;
  const sensors = state.sensors.map((s) => {
    if (s.id !== alarm.sensorId) return s;
    const fromValue = alarm.ruleId !== OFFLINE_RULE && (!s.latest || isNewer(alarm.updatedAt, s.latest.ts));
    const latest = fromValue ? { ts: alarm.updatedAt, value: alarm.lastValue } : s.latest;
    if (level !== null) return { ...s, state: 'alarm' as const, level, latest };
    if (offline) return { ...s, state: 'offline' as const, level: null, latest };
    return { ...s, state: s.state === 'alarm' || s.state === 'offline' ? ('normal' as const) : s.state, level: null, latest };
  });
  return { ...state, alarms, sensors };
}

function applyIncident(state: LifelineState, incident: IncidentDto): LifelineState {
  const existing = state.incidents.find((i) => i.id === incident.id);
  if (existing && !isNewer(incident.updatedAt, existing.updatedAt)) return state;
  const incidents = [...state.incidents.filter((i) => i.id !== incident.id), incident].sort(newestFirst);
  return { ...state, incidents };
}

function applyReadings(state: LifelineState, readings: { sensorId: string; ts: string; value: number }[]): LifelineState {
  const bySensor = new Map(readings.map((r) => [r.sensorId, r]));
  let changed = false;
  const sensors = state.sensors.map((s) => {
    const r = bySensor.get(s.id);
    if (!r || (s.latest && !isNewer(r.ts, s.latest.ts))) return s;
    changed = true;
    return { ...s, state: s.state === 'nodata' ? ('normal' as const) : s.state, latest: { ts: r.ts, value: r.value } };
  });
  return changed ? { ...state, sensors } : state;
}

type Listener = () => void;

export class LifelineStore {
  private state = initialState;
  private listeners = new Set<Listener>();
  private stopLive: (() => void) | null = null;
  private timers: ReturnType<typeof setTimeout>[] = [];
  /** Live messages that arrive while a snapshot is in flight are replayed on top of it. */
  private buffer: LiveMessage[] | null = null;
  private syncAgain = false;
  private healthTimer: ReturnType<typeof setTimeout> | undefined;
  private healthSeq = 0;
  /** The ingest counters are the centre's (owner units are refused them): after one 403 they are not asked for again. */
  private ingestStatsRefused = false;

  /** Between start() and stop(); a getter, so it is read afresh after an await. */
  private get started(): boolean {
    return this.stopLive !== null;
  }

  getState = (): LifelineState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(next: LifelineState) {
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l();
  }

  start(): void {
    if (this.stopLive) return;
    void this.loadTileSet();
    void this.sync();
    // Every (re)connection says hello, and the server says resync when its bus missed other processes' changes;
    // re-sync then (and re-read device health) so nothing sent meanwhile is lost.
    this.stopLive = connectLive({
      onStatus: (connection) => this.set({ ...this.state, connection }),
      onMessage: (message) => {
        if (message.type === 'hello' || message.type === 'resync') {
          void this.sync();
          void this.loadHealth();
        } else if (this.buffer) this.buffer.push(message);
        else this.set(applyLive(this.state, message));
      },
    });
    void this.loadHealth();
    // Dead letters have no live message: poll them.
    const poll = () => {
      this.timers.push(setTimeout(() => void this.loadDeadLetters().finally(poll), 10_000));
    };
    poll();
  }

  stop(): void {
    this.stopLive?.();
    this.stopLive = null;
    this.timers.forEach(clearTimeout);
    this.timers = [];
    clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
  }

  private fail(err: unknown) {
    this.set({ ...this.state, error: err instanceof Error ? err.message : String(err) });
  }

  private async loadTileSet(): Promise<void> {
    try {
      const tileSet = await api.tileSet();
      this.set({ ...this.state, tileSet });
    } catch (err) {
      this.fail(err);
      this.timers.push(setTimeout(() => void this.loadTileSet(), 5000));
    }
  }

  private async loadDeadLetters(): Promise<void> {
    try {
      const deadLetters = await api.deadLetters();
      this.set({ ...this.state, deadLetters });
    } catch {
      // transient; the next poll retries
    }
  }

  /**
   * Fetches device health and ingest counters, then polls again in HEALTH_POLL_MS. A call in
   * between (the live socket's hello) fetches at once and restarts the interval; an answer
   * overtaken by a later request is dropped. Each route keeps its last good answer on failure.
   * Only while started.
   */
  async loadHealth(): Promise<void> {
    if (!this.started) return;
    clearTimeout(this.healthTimer);
    const seq = ++this.healthSeq;
    const [health, stats] = await Promise.allSettled([api.deviceHealth(), this.ingestStatsRefused ? Promise.resolve(null) : api.ingestStats()]);
    if (seq !== this.healthSeq) return;
    if (stats.status === 'rejected' && stats.reason instanceof ApiError && stats.reason.status === 403) this.ingestStatsRefused = true;
    this.set({
      ...this.state,
      deviceHealth: health.status === 'fulfilled' ? health.value : this.state.deviceHealth,
      ingestStats: stats.status === 'fulfilled' ? stats.value : this.state.ingestStats,
    });
    if (this.started) this.healthTimer = setTimeout(() => void this.loadHealth(), HEALTH_POLL_MS);
  }

  /** Fetches a consistent snapshot of the changing collections. */
  async sync(): Promise<void> {
    if (this.buffer) {
      this.syncAgain = true;
      return;
    }
    this.buffer = [];
    try {
      const [sensors, alarms, incidents, deadLetters] = await Promise.all([
        api.sensors(),
        api.alarms('active'),
        api.incidents(),
        api.deadLetters(),
      ]);
      let next: LifelineState = {
        ...this.state,
        sensors,
        alarms: [...alarms].sort(newestFirst),
        incidents: [...incidents].sort(newestFirst),
        deadLetters,
        synced: true,
        error: null,
      };
      for (const message of this.buffer) next = applyLive(next, message);
      this.set(next);
    } catch (err) {
      for (const message of this.buffer) this.set(applyLive(this.state, message));
      this.fail(err);
      if (!this.syncAgain) this.timers.push(setTimeout(() => void this.sync(), 5000));
    } finally {
      this.buffer = null;
    }
    if (this.syncAgain) {
      this.syncAgain = false;
      await this.sync();
    }
  }

  /** Acknowledges an alarm with a comment and applies the returned alarm (the live feed tells the others). */
  async acknowledge(alarmId: string, comment: string): Promise<void> {
    this.set(applyAlarm(this.state, await alertingApi.acknowledge(alarmId, comment)));
  }

  /** POSTs an incident transition and applies the returned incident. Throws ApiError on 409. */
  async transition(id: string, action: IncidentDto['nextActions'][number], actor: string): Promise<void> {
    const incident = await api.transition(id, action, actor);
    this.set(applyIncident(this.state, incident));
  }
}
