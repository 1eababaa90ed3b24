import type { Queryable } from '../store/index.ts';
import { INDICATORS } from './catalogue.ts';
import type { AlarmChange } from './detector.ts';
import type { WarningLevel } from './types.ts';

/** The rule every offline alarm belongs to (created by migration 004). */
export const OFFLINE_RULE_ID = 'offline';
/** Silence is a maintenance matter, not an emergency: offline alarms are blue. */
export const OFFLINE_LEVEL: WarningLevel = 4;
const OFFLINE_CHANGE = { category: 'maintenance', ruleKind: 'offline', assetId: null } as const;
/** A sensor is offline after this many expected intervals without a reading. */
export const MISSED_INTERVALS = 3;

/**
 * Expected reporting interval per indicator, in seconds, when the sensor sets none: the
 * catalogue's (mains-powered gas and pressure monitors every minute or so, battery NB-IoT drainage
 * devices about every 15 minutes; BRIEF.md, field devices).
 */
export const DEFAULT_INTERVAL_S: Record<string, number> = Object.fromEntries(INDICATORS.map((i) => [i.indicator, i.intervalS]));
export const FALLBACK_INTERVAL_S = 300;

/**
 * Opens an offline alarm for every sensor whose latest reading is older than its threshold.
 * The latest-value rows are locked and re-checked (FOR UPDATE), so a reading committing at the
 * same moment either lands first (the sensor is no longer silent) or waits and then clears the
 * new alarm in its own transaction: the race cannot leave a live sensor marked offline.
 */
export async function openOfflineAlarms(tx: Queryable, now: Date): Promise<AlarmChange[]> {
  const indicators = Object.keys(DEFAULT_INTERVAL_S);
  const rows = await tx.query<{ id: string; sensor_id: string }>(
    `WITH defaults AS (
       SELECT * FROM unnest($2::text[], $3::int[]) AS d(indicator, interval_s)
     ), silent AS (
       SELECT l.sensor_id, l.ts
         FROM latest_readings l
         JOIN sensors s ON s.id = l.sensor_id
         LEFT JOIN defaults d ON d.indicator = s.indicator
        WHERE l.ts < $1::timestamptz - make_interval(secs => coalesce(
                s.offline_after_s, $4 * coalesce(s.expected_interval_s, d.interval_s, $5)))
          AND NOT EXISTS (SELECT 1 FROM alarms a WHERE a.sensor_id = l.sensor_id AND a.rule_id = '${OFFLINE_RULE_ID}' AND a.state = 'active')
        -- Locked in sensor order, as ingest moves them (src/ingest/pipeline.ts advanceLatest): no deadlock between the two.
        ORDER BY l.sensor_id COLLATE "C"
        FOR UPDATE OF l
     ), opened AS (
       INSERT INTO alarms (sensor_id, rule_id, rule_version, level, peak_level, state, opened_at, updated_at, trigger_value, last_value, category)
       SELECT sensor_id, '${OFFLINE_RULE_ID}', 1, $6, $6, 'active', $1, $1,
              extract(epoch FROM $1::timestamptz - ts), extract(epoch FROM $1::timestamptz - ts), 'maintenance'
         FROM silent
       ON CONFLICT (sensor_id, rule_id) WHERE state = 'active' DO NOTHING
       RETURNING id, sensor_id, trigger_value
     ), events AS (
       INSERT INTO alarm_events (alarm_id, kind, level, value, at)
       SELECT id, 'open', $6, trigger_value, $1 FROM opened
     )
     SELECT id::text AS id, sensor_id FROM opened`,
    [now, indicators, indicators.map((i) => DEFAULT_INTERVAL_S[i]), MISSED_INTERVALS, FALLBACK_INTERVAL_S, OFFLINE_LEVEL],
  );
  return rows.map((r) => ({ kind: 'open', alarmId: r.id, sensorId: r.sensor_id, ruleId: OFFLINE_RULE_ID, level: OFFLINE_LEVEL, ...OFFLINE_CHANGE }));
}

/** Clears the offline alarms of sensors that just reported; runs in the readings' transaction. */
export async function clearOfflineAlarms(tx: Queryable, sensorIds: string[], at: Date): Promise<AlarmChange[]> {
  if (sensorIds.length === 0) return [];
  const rows = await tx.query<{ id: string; sensor_id: string }>(
    `WITH cleared AS (
       UPDATE alarms SET state = 'cleared', cleared_at = $2, updated_at = $2
        WHERE rule_id = '${OFFLINE_RULE_ID}' AND state = 'active' AND sensor_id = ANY($1::text[])
       RETURNING id, sensor_id, last_value
     ), events AS (
       INSERT INTO alarm_events (alarm_id, kind, level, value, at)
       SELECT id, 'clear', $3, last_value, $2 FROM cleared
     )
     SELECT id::text AS id, sensor_id FROM cleared`,
    [sensorIds, at, OFFLINE_LEVEL],
  );
  return rows.map((r) => ({ kind: 'clear', alarmId: r.id, sensorId: r.sensor_id, ruleId: OFFLINE_RULE_ID, level: OFFLINE_LEVEL, ...OFFLINE_CHANGE }));
}
