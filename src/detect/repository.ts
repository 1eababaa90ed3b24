import type { Queryable } from '../store/index.ts';
import type { Alarm, ThresholdRule, WarningLevel } from './types.ts';

interface RuleRow {
  id: string; name: string; indicator: string | null; sensor_id: string | null; direction: 'above' | 'below';
  level1: number | null; level2: number | null; level3: number | null; level4: number | null;
  recovery: number; version: number;
}

export async function loadRules(db: Queryable): Promise<ThresholdRule[]> {
  const rows = await db.query<RuleRow & Record<string, unknown>>(
    `SELECT id, name, indicator, sensor_id, direction, level1, level2, level3, level4, recovery, version
       FROM rules WHERE enabled AND kind = 'threshold' ORDER BY id`,
  );
  return rows.map((r) => {
    const thresholds: Partial<Record<WarningLevel, number>> = {};
    if (r.level1 !== null) thresholds[1] = r.level1;
    if (r.level2 !== null) thresholds[2] = r.level2;
    if (r.level3 !== null) thresholds[3] = r.level3;
    if (r.level4 !== null) thresholds[4] = r.level4;
    return {
      id: r.id, name: r.name, indicator: r.indicator, sensorId: r.sensor_id, direction: r.direction,
      thresholds, recovery: r.recovery, version: r.version,
    };
  });
}

export async function insertRules(db: Queryable, rules: ThresholdRule[]): Promise<void> {
  for (const r of rules) {
    await db.query(
      `INSERT INTO rules (id, name, indicator, sensor_id, direction, level1, level2, level3, level4, recovery, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [r.id, r.name, r.indicator, r.sensorId, r.direction, r.thresholds[1] ?? null, r.thresholds[2] ?? null,
        r.thresholds[3] ?? null, r.thresholds[4] ?? null, r.recovery, r.version],
    );
  }
}

export interface ActiveAlarmRef {
  id: string;
  sensorId: string;
  ruleId: string;
  level: WarningLevel;
  peakLevel: WarningLevel;
}

export async function activeAlarmsFor(db: Queryable, sensorIds: string[]): Promise<ActiveAlarmRef[]> {
  if (sensorIds.length === 0) return [];
  const rows = await db.query<{ id: string; sensor_id: string; rule_id: string; level: number; peak_level: number }>(
    `SELECT id::text AS id, sensor_id, rule_id, level, peak_level FROM alarms
      WHERE state = 'active' AND sensor_id = ANY($1::text[])`,
    [sensorIds],
  );
  return rows.map((r) => ({
    id: r.id, sensorId: r.sensor_id, ruleId: r.rule_id, level: r.level as WarningLevel, peakLevel: r.peak_level as WarningLevel,
  }));
}

/** Opens an alarm; returns null when another writer already holds the active one for this pair. */
export async function openAlarm(
  db: Queryable, rule: ThresholdRule, sensorId: string, level: WarningLevel, value: number, ts: Date,
): Promise<string | null> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO alarms (sensor_id, rule_id, rule_version, level, peak_level, state, opened_at, updated_at, trigger_value, last_value)
     VALUES ($1, $2, $3, $4, $4, 'active', $5, $5, $6, $6)
     ON CONFLICT (sensor_id, rule_id) WHERE state = 'active' DO NOTHING
     RETURNING id::text AS id`,
    [sensorId, rule.id, rule.version, level, ts, value],
  );
  const id = rows[0]?.id ?? null;
  if (id) await recordAlarmEvent(db, id, 'open', level, value, ts);
  return id;
}

export async function escalateAlarm(db: Queryable, id: string, level: WarningLevel, value: number, ts: Date): Promise<void> {
  await db.query(
    `UPDATE alarms SET level = $2, peak_level = LEAST(peak_level, $2), last_value = $3, updated_at = $4 WHERE id = $1`,
    [id, level, value, ts],
  );
  await recordAlarmEvent(db, id, 'escalate', level, value, ts);
}

export async function clearAlarm(db: Queryable, id: string, level: WarningLevel, value: number, ts: Date): Promise<void> {
  await db.query(
    `UPDATE alarms SET state = 'cleared', cleared_at = $3, updated_at = $3, last_value = $2 WHERE id = $1`,
    [id, value, ts],
  );
  await recordAlarmEvent(db, id, 'clear', level, value, ts);
}

export async function touchAlarm(db: Queryable, id: string, value: number, ts: Date): Promise<void> {
  await db.query('UPDATE alarms SET last_value = $2, updated_at = $3 WHERE id = $1', [id, value, ts]);
}

async function recordAlarmEvent(
  db: Queryable, alarmId: string, kind: 'open' | 'escalate' | 'clear', level: WarningLevel, value: number, at: Date,
): Promise<void> {
  await db.query('INSERT INTO alarm_events (alarm_id, kind, level, value, at) VALUES ($1, $2, $3, $4, $5)', [alarmId, kind, level, value, at]);
}

interface AlarmRow {
  id: string; sensor_id: string; rule_id: string; rule_version: number; level: number; peak_level: number;
  state: 'active' | 'cleared'; opened_at: Date; updated_at: Date; cleared_at: Date | null;
  trigger_value: number; last_value: number; incident_id: string | null;
}

function toAlarm(r: AlarmRow): Alarm {
  return {
    id: r.id, sensorId: r.sensor_id, ruleId: r.rule_id, ruleVersion: r.rule_version,
    level: r.level as WarningLevel, peakLevel: r.peak_level as WarningLevel, state: r.state,
    openedAt: r.opened_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    clearedAt: r.cleared_at ? r.cleared_at.toISOString() : null,
    triggerValue: r.trigger_value, lastValue: r.last_value, incidentId: r.incident_id,
  };
}

const ALARM_COLUMNS = `a.id::text AS id, a.sensor_id, a.rule_id, a.rule_version, a.level, a.peak_level, a.state,
  a.opened_at, a.updated_at, a.cleared_at, a.trigger_value, a.last_value,
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
