import type { Queryable } from '../store/index.ts';
import type { RuleState } from './engine.ts';
import type { Alarm, AlarmCategory, Rule, RuleKind, WarningLevel } from './types.ts';

interface RuleRow {
  id: string; name: string; kind: RuleKind | 'offline'; indicator: string | null; sensor_id: string | null;
  asset_id: string | null; asset_class: string | null; base_id: string | null; category: AlarmCategory;
  direction: 'above' | 'below'; level1: number | null; level2: number | null; level3: number | null; level4: number | null;
  recovery: number; version: number; params: RuleParams;
}

/** The kind-specific settings, stored as JSON in rules.params. */
type RuleParams = Pick<Rule, 'pendingS' | 'keepFiringS' | 'deescalateS' | 'reopenWithinS' | 'windowS' | 'tolerance' | 'min' | 'max' | 'weekly' | 'anomaly' | 'composite' | 'source'>;
const PARAM_KEYS = ['pendingS', 'keepFiringS', 'deescalateS', 'reopenWithinS', 'windowS', 'tolerance', 'min', 'max', 'weekly', 'anomaly', 'composite', 'source'] as const;

export function ruleParams(rule: Rule): RuleParams {
  const params: Record<string, unknown> = {};
  for (const key of PARAM_KEYS) if (rule[key] !== undefined) params[key] = rule[key];
  return params as RuleParams;
}

/** The kinds evaluated on readings here; other kinds (offline, and platform-side kinds of other modules) have their own timers. */
export const READING_RULE_KINDS = `('threshold', 'rate', 'stuck', 'range', 'baseline', 'composite')`;

const RULE_COLUMNS = `id, name, kind, indicator, sensor_id, asset_id, asset_class, base_id, category, direction,
  level1, level2, level3, level4, recovery, version, params`;

function toRule(r: RuleRow): Rule {
  const thresholds: Partial<Record<WarningLevel, number>> = {};
  if (r.level1 !== null) thresholds[1] = r.level1;
  if (r.level2 !== null) thresholds[2] = r.level2;
  if (r.level3 !== null) thresholds[3] = r.level3;
  if (r.level4 !== null) thresholds[4] = r.level4;
  return {
    id: r.id, name: r.name, indicator: r.indicator, sensorId: r.sensor_id, direction: r.direction,
    thresholds, recovery: r.recovery, version: r.version, kind: r.kind as RuleKind, category: r.category,
    assetId: r.asset_id, assetClass: r.asset_class, baseId: r.base_id, ...r.params,
  };
}

/** The enabled rules that readings are evaluated against. */
export async function loadRules(db: Queryable): Promise<Rule[]> {
  const rows = await db.query<RuleRow & Record<string, unknown>>(
    `SELECT ${RULE_COLUMNS} FROM rules WHERE enabled AND kind IN ${READING_RULE_KINDS} ORDER BY id`,
  );
  return rows.map(toRule);
}

export async function getRule(db: Queryable, id: string): Promise<Rule | null> {
  const rows = await db.query<RuleRow & Record<string, unknown>>(`SELECT ${RULE_COLUMNS} FROM rules WHERE id = $1 AND kind IN ${READING_RULE_KINDS}`, [id]);
  return rows[0] ? toRule(rows[0]) : null;
}

const ruleValues = (r: Rule) => [
  r.id, r.name, r.kind ?? 'threshold', r.indicator, r.sensorId, r.assetId ?? null, r.assetClass ?? null, r.baseId ?? null,
  r.category ?? 'emergency', r.direction, r.thresholds[1] ?? null, r.thresholds[2] ?? null, r.thresholds[3] ?? null,
  r.thresholds[4] ?? null, r.recovery, r.version, JSON.stringify(ruleParams(r)),
];

export async function insertRules(db: Queryable, rules: Rule[]): Promise<void> {
  for (const r of rules) {
    await db.query(
      `INSERT INTO rules (${RULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb)`,
      ruleValues(r),
    );
  }
}

/** Replaces a rule's definition (its version must already be the next one). */
export async function updateRule(db: Queryable, r: Rule, by: string, at: Date): Promise<void> {
  await db.query(
    `UPDATE rules SET name = $2, kind = $3, indicator = $4, sensor_id = $5, asset_id = $6, asset_class = $7, base_id = $8,
            category = $9, direction = $10, level1 = $11, level2 = $12, level3 = $13, level4 = $14, recovery = $15,
            version = $16, params = $17::jsonb, updated_at = $18, updated_by = $19, enabled = true
      WHERE id = $1`,
    [...ruleValues(r), at, by],
  );
}

/** The definition as the history keeps it: everything that decides what fires. */
export function ruleDefinition(r: Rule): Record<string, unknown> {
  return {
    name: r.name, kind: r.kind ?? 'threshold', category: r.category ?? 'emergency', indicator: r.indicator,
    scope: { sensorId: r.sensorId, assetId: r.assetId ?? null, assetClass: r.assetClass ?? null, baseId: r.baseId ?? null },
    direction: r.direction, thresholds: r.thresholds, recovery: r.recovery, ...ruleParams(r),
  };
}

export async function recordRuleVersion(db: Queryable, r: Rule, by: string, note: string | null, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO rule_versions (rule_id, version, definition, changed_at, changed_by, note) VALUES ($1, $2, $3::jsonb, $4, $5, $6)
     ON CONFLICT (rule_id, version) DO NOTHING`,
    [r.id, r.version, JSON.stringify(ruleDefinition(r)), at, by, note],
  );
}

export interface RuleVersion {
  ruleId: string;
  version: number;
  definition: Record<string, unknown>;
  changedAt: string;
  changedBy: string;
  note: string | null;
}

export async function ruleHistory(db: Queryable, ruleIds: string[]): Promise<RuleVersion[]> {
  const rows = await db.query<{ rule_id: string; version: number; definition: Record<string, unknown>; changed_at: Date; changed_by: string; note: string | null }>(
    `SELECT rule_id, version, definition, changed_at, changed_by, note FROM rule_versions WHERE rule_id = ANY($1::text[]) ORDER BY rule_id, version`,
    [ruleIds],
  );
  return rows.map((r) => ({ ruleId: r.rule_id, version: r.version, definition: r.definition, changedAt: r.changed_at.toISOString(), changedBy: r.changed_by, note: r.note }));
}

/** Every rule (enabled or not, overrides included) with its scope, for the catalogue API. */
export async function listAllRules(db: Queryable): Promise<(Rule & { enabled: boolean })[]> {
  const rows = await db.query<RuleRow & { enabled: boolean } & Record<string, unknown>>(
    `SELECT ${RULE_COLUMNS}, enabled FROM rules WHERE kind IN ${READING_RULE_KINDS} ORDER BY coalesce(base_id, id), base_id NULLS FIRST, id`,
  );
  return rows.map((r) => ({ ...toRule(r), enabled: r.enabled }));
}

// Episodes.

export interface ActiveAlarmRef {
  id: string;
  sensorId: string;
  ruleId: string;
  level: WarningLevel;
  peakLevel: WarningLevel;
  assetId: string | null;
}

/** Active episodes of these sensors, and the composite (per-asset) episodes of these assets. */
export async function activeAlarmsFor(db: Queryable, sensorIds: string[], assetIds: string[] = []): Promise<ActiveAlarmRef[]> {
  if (sensorIds.length === 0 && assetIds.length === 0) return [];
  const rows = await db.query<{ id: string; sensor_id: string; rule_id: string; level: number; peak_level: number; asset_id: string | null }>(
    assetIds.length === 0
      ? `SELECT id::text AS id, sensor_id, rule_id, level, peak_level, asset_id FROM alarms WHERE state = 'active' AND sensor_id = ANY($1::text[])`
      : `SELECT id::text AS id, sensor_id, rule_id, level, peak_level, asset_id FROM alarms
          WHERE state = 'active' AND (sensor_id = ANY($1::text[]) OR asset_id = ANY($2::text[]))`,
    assetIds.length === 0 ? [sensorIds] : [sensorIds, assetIds],
  );
  return rows.map((r) => ({
    id: r.id, sensorId: r.sensor_id, ruleId: r.rule_id, level: r.level as WarningLevel, peakLevel: r.peak_level as WarningLevel, assetId: r.asset_id,
  }));
}

export interface EpisodeKey {
  sensorId: string;
  /** Set for composite episodes: one per (asset, rule), whichever sensor of the asset fires it. */
  assetId: string | null;
  rule: Rule;
}

/**
 * Opens an episode, or re-opens the pair's last cleared one when it cleared less than the rule's
 * re-open window ago under the same rule version. Returns null when another writer is opening or
 * has opened the pair's episode (its own change reports it). A transaction-scoped advisory lock
 * on the pair makes concurrent writers take turns without waiting: the loser backs off.
 */
export async function openEpisode(
  db: Queryable, key: EpisodeKey, level: WarningLevel, value: number, ts: Date, reopenWithinS: number,
): Promise<{ id: string; reopened: boolean; occurrences: number } | null> {
  const { rule, sensorId, assetId } = key;
  const pair = assetId === null ? `${sensorId}|${rule.id}` : `asset:${assetId}|${rule.id}`;
  const [lock] = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [pair]);
  if (!lock?.locked) return null;
  const category = rule.category ?? 'emergency';
  const [previous] = await db.query<{ id: string; state: string; cleared_at: Date | null; rule_version: number }>(
    assetId === null
      ? `SELECT id::text AS id, state, cleared_at, rule_version FROM alarms WHERE sensor_id = $1 AND rule_id = $2 AND asset_id IS NULL
          ORDER BY (state = 'active') DESC, cleared_at DESC NULLS LAST LIMIT 1`
      : `SELECT id::text AS id, state, cleared_at, rule_version FROM alarms WHERE asset_id = $1 AND rule_id = $2
          ORDER BY (state = 'active') DESC, cleared_at DESC NULLS LAST LIMIT 1`,
    [assetId ?? sensorId, rule.id],
  );
  if (previous?.state === 'active') return null;
  if (previous && previous.rule_version === rule.version && previous.cleared_at
    && ts.getTime() - previous.cleared_at.getTime() <= reopenWithinS * 1000 && ts >= previous.cleared_at) {
    const [row] = await db.query<{ occurrences: number }>(
      `WITH reopened AS (
         UPDATE alarms SET state = 'active', cleared_at = NULL, level = $2, peak_level = LEAST(peak_level, $2), last_value = $3,
                updated_at = $4, occurrences = occurrences + 1
          WHERE id = $1 AND state = 'cleared' RETURNING id, occurrences
       ), event AS (
         INSERT INTO alarm_events (alarm_id, kind, level, value, at) SELECT id, 'reopen', $2, $3, $4 FROM reopened
       )
       SELECT occurrences FROM reopened`,
      [previous.id, level, value, ts],
    );
    if (!row) return null;
    return { id: previous.id, reopened: true, occurrences: row.occurrences };
  }
  const rows = await db.query<{ id: string }>(
    `WITH opened AS (
       INSERT INTO alarms (sensor_id, rule_id, rule_version, level, peak_level, state, opened_at, updated_at, trigger_value, last_value, category, asset_id)
       VALUES ($1, $2, $3, $4, $4, 'active', $5, $5, $6, $6, $7, $8)
       ON CONFLICT DO NOTHING
       RETURNING id
     ), event AS (
       INSERT INTO alarm_events (alarm_id, kind, level, value, at) SELECT id, 'open', $4, $6, $5 FROM opened
     )
     SELECT id::text AS id FROM opened`,
    [sensorId, rule.id, rule.version, level, ts, value, category, assetId],
  );
  const id = rows[0]?.id ?? null;
  if (!id) return null;
  return { id, reopened: false, occurrences: 1 };
}

/** Opens an episode without the re-open policy (kept for callers that want a fresh one). */
export async function openAlarm(db: Queryable, rule: Rule, sensorId: string, level: WarningLevel, value: number, ts: Date): Promise<string | null> {
  return (await openEpisode(db, { sensorId, assetId: null, rule }, level, value, ts, -1))?.id ?? null;
}

/** Moves an active episode to another level (escalation raises the peak too). */
export async function changeAlarmLevel(db: Queryable, id: string, kind: 'escalate' | 'deescalate', level: WarningLevel, value: number, ts: Date): Promise<void> {
  await db.query(
    `UPDATE alarms SET level = $2, peak_level = LEAST(peak_level, $2), last_value = $3, updated_at = $4 WHERE id = $1`,
    [id, level, value, ts],
  );
  await recordAlarmEvent(db, id, kind, level, value, ts);
}

/** A level change or a clear, written with the others of its batch. */
export interface EpisodeWrite {
  id: string;
  kind: 'escalate' | 'deescalate' | 'clear';
  level: WarningLevel;
  value: number;
  ts: Date;
}

/**
 * Writes a batch's level changes and clears, in their order, in two statements: one updates the
 * episodes (the last write of each wins, peak from all), one appends every event to the timeline.
 */
export async function writeEpisodeChanges(db: Queryable, writes: EpisodeWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const final = new Map<string, { level: WarningLevel | null; peak: WarningLevel | null; cleared: boolean; value: number; ts: Date }>();
  for (const w of writes) {
    const f = final.get(w.id) ?? { level: null, peak: null, cleared: false, value: w.value, ts: w.ts };
    if (w.kind === 'clear') f.cleared = true;
    else {
      f.level = w.level;
      if (w.kind === 'escalate') f.peak = f.peak === null ? w.level : (Math.min(f.peak, w.level) as WarningLevel);
    }
    f.value = w.value;
    f.ts = w.ts;
    final.set(w.id, f);
  }
  const ids = [...final.keys()];
  const rows = ids.map((id) => final.get(id)!);
  await db.query(
    `UPDATE alarms a SET level = coalesce(u.level, a.level), peak_level = LEAST(a.peak_level, coalesce(u.peak, a.peak_level)),
            state = CASE WHEN u.cleared THEN 'cleared' ELSE a.state END, cleared_at = CASE WHEN u.cleared THEN u.ts ELSE a.cleared_at END,
            last_value = u.value, updated_at = u.ts
       FROM unnest($1::bigint[], $2::smallint[], $3::smallint[], $4::boolean[], $5::float8[], $6::timestamptz[]) AS u(id, level, peak, cleared, value, ts)
      WHERE a.id = u.id`,
    [ids, rows.map((r) => r.level), rows.map((r) => r.peak), rows.map((r) => r.cleared), rows.map((r) => r.value), rows.map((r) => r.ts)],
  );
  await db.query(
    `INSERT INTO alarm_events (alarm_id, kind, level, value, at)
     SELECT alarm_id, kind, level, value, at
       FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::float8[], $5::timestamptz[]) WITH ORDINALITY AS e(alarm_id, kind, level, value, at, n)
      ORDER BY n`,
    [writes.map((w) => w.id), writes.map((w) => w.kind), writes.map((w) => w.level), writes.map((w) => w.value), writes.map((w) => w.ts)],
  );
}

export async function escalateAlarm(db: Queryable, id: string, level: WarningLevel, value: number, ts: Date): Promise<void> {
  await changeAlarmLevel(db, id, 'escalate', level, value, ts);
}

export async function clearAlarm(db: Queryable, id: string, level: WarningLevel, value: number, ts: Date): Promise<void> {
  await db.query(
    `UPDATE alarms SET state = 'cleared', cleared_at = $3, updated_at = $3, last_value = $2 WHERE id = $1`,
    [id, value, ts],
  );
  await recordAlarmEvent(db, id, 'clear', level, value, ts);
}

/** The latest value of episodes that hold, one statement for the whole batch. */
export async function touchAlarms(db: Queryable, touches: Map<string, { value: number; ts: Date }>): Promise<void> {
  if (touches.size === 0) return;
  const ids = [...touches.keys()];
  await db.query(
    `UPDATE alarms a SET last_value = t.value, updated_at = t.ts
       FROM unnest($1::bigint[], $2::float8[], $3::timestamptz[]) AS t(id, value, ts)
      WHERE a.id = t.id AND a.state = 'active'`,
    [ids, ids.map((id) => touches.get(id)!.value), ids.map((id) => touches.get(id)!.ts)],
  );
}

export async function touchAlarm(db: Queryable, id: string, value: number, ts: Date): Promise<void> {
  await db.query('UPDATE alarms SET last_value = $2, updated_at = $3 WHERE id = $1', [id, value, ts]);
}

export type AlarmEventKind = 'open' | 'escalate' | 'deescalate' | 'clear' | 'reopen';

async function recordAlarmEvent(db: Queryable, alarmId: string, kind: AlarmEventKind, level: WarningLevel, value: number, at: Date): Promise<void> {
  await db.query('INSERT INTO alarm_events (alarm_id, kind, level, value, at) VALUES ($1, $2, $3, $4, $5)', [alarmId, kind, level, value, at]);
}

export interface AlarmEvent {
  kind: AlarmEventKind;
  level: WarningLevel;
  value: number;
  at: string;
}

/** An episode's timeline, oldest first. */
export async function alarmTimeline(db: Queryable, alarmId: string): Promise<AlarmEvent[]> {
  const rows = await db.query<{ kind: AlarmEventKind; level: number; value: number; at: Date }>(
    'SELECT kind, level, value, at FROM alarm_events WHERE alarm_id = $1 ORDER BY at, id', [alarmId],
  );
  return rows.map((r) => ({ kind: r.kind, level: r.level as WarningLevel, value: r.value, at: r.at.toISOString() }));
}

// Detection state.

/** The small per-pair states of these sensors (baseline checkpoints, which are large, are read only on a detector's first use). */
export async function loadDetectState(db: Queryable, sensorIds: string[]): Promise<Map<string, RuleState>> {
  if (sensorIds.length === 0) return new Map();
  const rows = await db.query<{ sensor_id: string; rule_id: string; state: RuleState }>(
    `SELECT sensor_id, rule_id, state FROM detect_state WHERE sensor_id = ANY($1::text[]) AND rule_id NOT LIKE '%#anomaly'`, [sensorIds],
  );
  return new Map(rows.map((r) => [`${r.sensor_id}\u0000${r.rule_id}`, r.state]));
}

/** Writes changed states (null: forget the pair) in two statements. */
export async function saveDetectState(db: Queryable, changed: Map<string, unknown>): Promise<void> {
  const put: [string, string, string][] = [];
  const gone: [string, string][] = [];
  for (const [key, state] of changed) {
    const [sensorId, ruleId] = key.split('\u0000') as [string, string];
    if (state === null) gone.push([sensorId, ruleId]);
    else put.push([sensorId, ruleId, JSON.stringify(state)]);
  }
  if (put.length > 0) {
    await db.query(
      `INSERT INTO detect_state (sensor_id, rule_id, state)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
       ON CONFLICT (sensor_id, rule_id) DO UPDATE SET state = EXCLUDED.state`,
      [put.map((p) => p[0]), put.map((p) => p[1]), put.map((p) => p[2])],
    );
  }
  if (gone.length > 0) {
    await db.query(
      `DELETE FROM detect_state d USING unnest($1::text[], $2::text[]) AS g(sensor_id, rule_id)
        WHERE d.sensor_id = g.sensor_id AND d.rule_id = g.rule_id`,
      [gone.map((g) => g[0]), gone.map((g) => g[1])],
    );
  }
}

// Reading alarms.

interface AlarmRow {
  id: string; sensor_id: string; rule_id: string; rule_version: number; level: number; peak_level: number;
  state: 'active' | 'cleared'; opened_at: Date; updated_at: Date; cleared_at: Date | null;
  trigger_value: number; last_value: number; incident_id: string | null;
  category: AlarmCategory; asset_id: string | null; occurrences: number;
}

function toAlarm(r: AlarmRow): Alarm {
  return {
    id: r.id, sensorId: r.sensor_id, ruleId: r.rule_id, ruleVersion: r.rule_version,
    level: r.level as WarningLevel, peakLevel: r.peak_level as WarningLevel, state: r.state,
    openedAt: r.opened_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    clearedAt: r.cleared_at ? r.cleared_at.toISOString() : null,
    triggerValue: r.trigger_value, lastValue: r.last_value, incidentId: r.incident_id,
    category: r.category, assetId: r.asset_id, occurrences: r.occurrences,
  };
}

const ALARM_COLUMNS = `a.id::text AS id, a.sensor_id, a.rule_id, a.rule_version, a.level, a.peak_level, a.state,
  a.opened_at, a.updated_at, a.cleared_at, a.trigger_value, a.last_value, a.category, a.asset_id, a.occurrences,
  (SELECT i.id::text FROM incidents i WHERE i.alarm_id = a.id) AS incident_id`;

export async function listAlarms(db: Queryable, filter: { state?: 'active' | 'all'; limit?: number } = {}): Promise<Alarm[]> {
  const rows = await db.query<AlarmRow & Record<string, unknown>>(
    `SELECT ${ALARM_COLUMNS} FROM alarms a
      WHERE $1::text = 'all' OR a.state = 'active'
      ORDER BY a.opened_at DESC, a.id DESC LIMIT $2`,
    [filter.state ?? 'active', filter.limit ?? 500],
  );
  return rows.map(toAlarm);
}

export async function getAlarms(db: Queryable, ids: string[]): Promise<Alarm[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<AlarmRow & Record<string, unknown>>(
    `SELECT ${ALARM_COLUMNS} FROM alarms a WHERE a.id = ANY($1::bigint[]) ORDER BY a.id`,
    [ids],
  );
  return rows.map(toAlarm);
}
