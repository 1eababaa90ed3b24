// Platform-side drainage alarms (missed patrol, water-class deterioration, rain class): rows of
// the one alarms table, written the way the offline check writes its alarms (an open, escalate
// or clear row in alarm_events beside each change, one active alarm per sensor and rule by the
// partial unique index), so they show in the alarm list and on the live feed like any other.
import type { AlarmChange, WarningLevel } from '../../detect/index.ts';
import type { Queryable } from '../../store/index.ts';

/** The rules of migration 013. */
export const MISSED_PATROL_RULE_ID = 'missed-patrol';
export const WATER_CLASS_RULE_ID = 'water-class';
export const RAIN_CLASS_RULE_ID = 'rain-class';

/**
 * Opens the (sensor, rule) alarm at `level`, or escalates the active one when `level` is more
 * severe (a lower number); a less severe level only updates its value. Returns what changed.
 */
export async function raiseAlarm(tx: Queryable, sensorId: string, ruleId: string, level: WarningLevel, value: number, at: Date): Promise<AlarmChange | null> {
  const [opened] = await tx.query<{ id: string }>(
    `INSERT INTO alarms (sensor_id, rule_id, rule_version, level, peak_level, state, opened_at, updated_at, trigger_value, last_value)
     VALUES ($1, $2, 1, $3, $3, 'active', $4, $4, $5, $5)
     ON CONFLICT (sensor_id, rule_id) WHERE state = 'active' DO NOTHING
     RETURNING id::text AS id`,
    [sensorId, ruleId, level, at, value],
  );
  if (opened) {
    await tx.query(`INSERT INTO alarm_events (alarm_id, kind, level, value, at) VALUES ($1, 'open', $2, $3, $4)`, [opened.id, level, value, at]);
    return { kind: 'open', alarmId: opened.id, sensorId, ruleId, level };
  }
  const [active] = await tx.query<{ id: string; level: number }>(
    `SELECT id::text AS id, level FROM alarms WHERE sensor_id = $1 AND rule_id = $2 AND state = 'active' FOR UPDATE`, [sensorId, ruleId],
  );
  if (!active) return null;
  if (level < active.level) {
    await tx.query('UPDATE alarms SET level = $2, peak_level = LEAST(peak_level, $2), last_value = $3, updated_at = $4 WHERE id = $1', [active.id, level, value, at]);
    await tx.query(`INSERT INTO alarm_events (alarm_id, kind, level, value, at) VALUES ($1, 'escalate', $2, $3, $4)`, [active.id, level, value, at]);
    return { kind: 'escalate', alarmId: active.id, sensorId, ruleId, level };
  }
  await tx.query('UPDATE alarms SET last_value = $2, updated_at = $3 WHERE id = $1', [active.id, value, at]);
  return null;
}

/** Clears the active (sensor, rule) alarm, if any. */
export async function clearAlarm(tx: Queryable, sensorId: string, ruleId: string, value: number, at: Date): Promise<AlarmChange | null> {
  const [cleared] = await tx.query<{ id: string; level: number }>(
    `UPDATE alarms SET state = 'cleared', cleared_at = $3, updated_at = $3, last_value = $4
      WHERE sensor_id = $1 AND rule_id = $2 AND state = 'active'
     RETURNING id::text AS id, level`,
    [sensorId, ruleId, at, value],
  );
  if (!cleared) return null;
  await tx.query(`INSERT INTO alarm_events (alarm_id, kind, level, value, at) VALUES ($1, 'clear', $2, $3, $4)`, [cleared.id, cleared.level, value, at]);
  return { kind: 'clear', alarmId: cleared.id, sensorId, ruleId, level: cleared.level as WarningLevel };
}
