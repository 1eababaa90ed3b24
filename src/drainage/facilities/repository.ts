// Facilities (gates, lift pump stations, treatment plants): registry views over their assets with
// a telemetry summary from the latest readings, duty shifts, patrol schedules and check-ins, the
// missed-patrol check, and equipment health records (设备健康档案).
import type { AlarmChange } from '../../detect/index.ts';
import type { Db, Queryable } from '../../store/index.ts';
import { clearAlarm, MISSED_PATROL_RULE_ID, raiseAlarm } from '../alarms/index.ts';
import { missedPatrols, nextDue, type PatrolSchedule } from './schedule.ts';

export const FACILITY_TYPES = ['gate', 'pump_station', 'treatment_plant'] as const;
export type FacilityType = (typeof FACILITY_TYPES)[number];
/** The indicator of a facility's patrol sensor, which missed-patrol alarms attach to. */
export const PATROL_INDICATOR = 'patrol';
/** Missed patrols are yellow (level 3): a duty lapse, not yet a hazard. */
export const MISSED_PATROL_LEVEL = 3;

export interface Telemetry {
  sensorId: string;
  name: string;
  indicator: string;
  unit: string;
  value: number | null;
  ts: string | null;
  /** Most severe active alarm level on the sensor, null without one. */
  alarmLevel: number | null;
}

export interface Shift {
  id: string;
  facilityId: string;
  startsAt: string;
  endsAt: string;
  staff: string;
}

export interface Patrol {
  id: string;
  facilityId: string;
  name: string;
  intervalMinutes: number;
  windowMinutes: number;
  startsAt: string;
  active: boolean;
  sensorId: string;
  lastCheckin: { at: string; by: string; note: string; photo: string | null } | null;
  nextDueAt: string;
  /** Patrols found missed in the last 24 h. */
  missed24h: number;
  /** The active missed-patrol alarm, if any. */
  alarmId: string | null;
}

export interface HealthEntry {
  at: string;
  kind: string;
  description: string;
  runHours: number | null;
}

export interface Facility {
  id: string;
  name: string;
  assetType: FacilityType;
  ownerId: string;
  location: [number, number];
  attributes: Record<string, unknown>;
  telemetry: Telemetry[];
  onDuty: Shift[];
  patrols: Patrol[];
  health: { commissionedOn: string | null; runHours: number | null; maintenance: HealthEntry[] };
}

export class FacilityError extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

/** The facility, when it exists and (with an owner scope) belongs to that unit. */
export async function facilityOwner(db: Queryable, id: string): Promise<string | null> {
  const [row] = await db.query<{ owner_id: string }>(`SELECT owner_id FROM assets WHERE id = $1 AND asset_type = ANY($2::text[])`, [id, FACILITY_TYPES]);
  return row?.owner_id ?? null;
}

export async function listFacilities(db: Queryable, now: Date, filter: { ownerId?: string | null; ids?: string[] } = {}): Promise<Facility[]> {
  const assets = await db.query<{ id: string; name: string; asset_type: FacilityType; owner_id: string; geometry: { type: string; coordinates: unknown }; attributes: Record<string, unknown> }>(
    `SELECT id, name, asset_type, owner_id, geometry, attributes FROM assets
      WHERE asset_type = ANY($1::text[]) AND network IN ('drainage', 'water') AND ($2::text IS NULL OR owner_id = $2) AND ($3::text[] IS NULL OR id = ANY($3::text[]))
      ORDER BY asset_type, id`,
    [FACILITY_TYPES, filter.ownerId ?? null, filter.ids ?? null],
  );
  if (assets.length === 0) return [];
  const ids = assets.map((a) => a.id);
  const telemetry = await db.query<{ asset_id: string; id: string; name: string; indicator: string; unit: string; value: number | null; ts: Date | null; level: number | null }>(
    `SELECT s.asset_id, s.id, s.name, s.indicator, s.unit, l.value, l.ts,
            (SELECT min(a.level) FROM alarms a WHERE a.sensor_id = s.id AND a.state = 'active') AS level
       FROM sensors s LEFT JOIN latest_readings l ON l.sensor_id = s.id
      WHERE s.asset_id = ANY($1::text[]) AND s.indicator <> $2 ORDER BY s.id`,
    [ids, PATROL_INDICATOR],
  );
  const shifts = await listShifts(db, { facilityIds: ids, at: now });
  const patrols = await listPatrols(db, ids, now);
  const health = await db.query<{ asset_id: string; commissioned_on: string | null; run_hours: number | null }>(
    `SELECT asset_id, to_char(commissioned_on, 'YYYY-MM-DD') AS commissioned_on, run_hours FROM asset_health WHERE asset_id = ANY($1::text[])`, [ids],
  );
  const log = await db.query<{ asset_id: string; at: Date; kind: string; description: string; run_hours: number | null }>(
    'SELECT asset_id, at, kind, description, run_hours FROM maintenance_log WHERE asset_id = ANY($1::text[]) ORDER BY at DESC, id DESC', [ids],
  );
  return assets.map((a) => {
    const coords = a.geometry.type === 'Point' ? (a.geometry.coordinates as [number, number]) : (a.geometry.coordinates as [number, number][])[0]!;
    const h = health.find((r) => r.asset_id === a.id);
    return {
      id: a.id, name: a.name, assetType: a.asset_type, ownerId: a.owner_id, location: coords, attributes: a.attributes,
      telemetry: telemetry.filter((t) => t.asset_id === a.id).map((t) => ({
        sensorId: t.id, name: t.name, indicator: t.indicator, unit: t.unit, value: t.value, ts: t.ts?.toISOString() ?? null, alarmLevel: t.level,
      })),
      onDuty: shifts.filter((s) => s.facilityId === a.id),
      patrols: patrols.filter((p) => p.facilityId === a.id),
      health: {
        commissionedOn: h?.commissioned_on ?? null, runHours: h?.run_hours ?? null,
        maintenance: log.filter((l) => l.asset_id === a.id).map((l) => ({ at: l.at.toISOString(), kind: l.kind, description: l.description, runHours: l.run_hours })),
      },
    };
  });
}

export async function addShifts(tx: Queryable, shifts: readonly { facilityId: string; startsAt: Date; endsAt: Date; staff: string }[]): Promise<number> {
  let added = 0;
  for (const s of shifts) {
    const rows = await tx.query(
      `INSERT INTO duty_shifts (facility_id, starts_at, ends_at, staff) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
      [s.facilityId, s.startsAt, s.endsAt, s.staff],
    );
    added += rows.length;
  }
  return added;
}

/** Shifts of the facilities, either those on duty at `at` or those overlapping [from, to). */
export async function listShifts(db: Queryable, q: { facilityIds: string[]; at?: Date; from?: Date; to?: Date }): Promise<Shift[]> {
  const from = q.at ?? q.from ?? new Date(0);
  const to = q.at ? new Date(q.at.getTime() + 1) : q.to ?? new Date(8.64e15);
  const rows = await db.query<{ id: string; facility_id: string; starts_at: Date; ends_at: Date; staff: string }>(
    `SELECT id::text AS id, facility_id, starts_at, ends_at, staff FROM duty_shifts
      WHERE facility_id = ANY($1::text[]) AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at, facility_id, staff`,
    [q.facilityIds, from, to],
  );
  return rows.map((r) => ({ id: r.id, facilityId: r.facility_id, startsAt: r.starts_at.toISOString(), endsAt: r.ends_at.toISOString(), staff: r.staff }));
}

/** The facility's patrol sensor (device PATROL-<facility>, channel checkin), created on first use. */
export async function ensurePatrolSensor(tx: Queryable, facilityId: string): Promise<string> {
  const deviceId = `PATROL-${facilityId}`;
  const sensorId = `${deviceId}.checkin`;
  const [asset] = await tx.query<{ name: string; geometry: { type: string; coordinates: unknown } }>('SELECT name, geometry FROM assets WHERE id = $1', [facilityId]);
  if (!asset) throw new FacilityError(404, `facility ${facilityId} does not exist`);
  const [lon, lat] = asset.geometry.type === 'Point' ? (asset.geometry.coordinates as [number, number]) : (asset.geometry.coordinates as [number, number][])[0]!;
  await tx.query('INSERT INTO devices (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [deviceId, `巡检签到 ${asset.name}`]);
  await tx.query(
    `INSERT INTO sensors (id, device_id, channel, asset_id, name, indicator, unit, lon, lat) VALUES ($1, $2, 'checkin', $3, $4, $5, '次', $6, $7)
     ON CONFLICT (id) DO NOTHING`,
    [sensorId, deviceId, facilityId, `巡检签到 ${asset.name}`, PATROL_INDICATOR, lon, lat],
  );
  return sensorId;
}

export async function createPatrol(tx: Queryable, p: { facilityId: string; name: string; intervalMinutes: number; windowMinutes: number; startsAt: Date }): Promise<string> {
  if (p.windowMinutes > p.intervalMinutes) throw new FacilityError(400, 'windowMinutes: must not exceed intervalMinutes');
  const sensorId = await ensurePatrolSensor(tx, p.facilityId);
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO patrol_schedules (facility_id, name, interval_minutes, window_minutes, starts_at, sensor_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text AS id`,
    [p.facilityId, p.name, p.intervalMinutes, p.windowMinutes, p.startsAt, sensorId],
  );
  return row!.id;
}

type ScheduleRow = {
  id: string; facility_id: string; name: string; interval_minutes: number; window_minutes: number; starts_at: Date; active: boolean; sensor_id: string;
};

const toSchedule = (r: ScheduleRow): PatrolSchedule => ({ startsAt: r.starts_at, intervalMinutes: r.interval_minutes, windowMinutes: r.window_minutes });

export async function patrolOf(db: Queryable, id: string): Promise<{ facilityId: string; sensorId: string } | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const [row] = await db.query<{ facility_id: string; sensor_id: string }>('SELECT facility_id, sensor_id FROM patrol_schedules WHERE id = $1', [id]);
  return row ? { facilityId: row.facility_id, sensorId: row.sensor_id } : null;
}

export async function listPatrols(db: Queryable, facilityIds: string[], now: Date): Promise<Patrol[]> {
  const rows = await db.query<ScheduleRow & {
    last_at: Date | null; last_by: string | null; last_note: string | null; last_photo: string | null; missed: number; alarm_id: string | null;
  }>(
    `SELECT p.id::text AS id, p.facility_id, p.name, p.interval_minutes, p.window_minutes, p.starts_at, p.active, p.sensor_id,
            c.at AS last_at, c.by_user AS last_by, c.note AS last_note, c.photo AS last_photo,
            (SELECT count(*)::int FROM patrol_misses m WHERE m.schedule_id = p.id AND m.due_at > $2::timestamptz - interval '24 hours') AS missed,
            (SELECT a.id::text FROM alarms a WHERE a.sensor_id = p.sensor_id AND a.rule_id = $3 AND a.state = 'active') AS alarm_id
       FROM patrol_schedules p
       LEFT JOIN LATERAL (SELECT at, by_user, note, photo FROM patrol_checkins c WHERE c.schedule_id = p.id ORDER BY at DESC LIMIT 1) c ON true
      WHERE p.facility_id = ANY($1::text[]) ORDER BY p.facility_id, p.id`,
    [facilityIds, now, MISSED_PATROL_RULE_ID],
  );
  return rows.map((r) => ({
    id: r.id, facilityId: r.facility_id, name: r.name, intervalMinutes: r.interval_minutes, windowMinutes: r.window_minutes,
    startsAt: r.starts_at.toISOString(), active: r.active, sensorId: r.sensor_id,
    lastCheckin: r.last_at ? { at: r.last_at.toISOString(), by: r.last_by!, note: r.last_note ?? '', photo: r.last_photo } : null,
    nextDueAt: nextDue(toSchedule(r), now).toISOString(), missed24h: r.missed, alarmId: r.alarm_id,
  }));
}

/** A check-in; it clears the schedule's missed-patrol alarm. */
export async function checkIn(tx: Queryable, scheduleId: string, c: { at: Date; by: string; note?: string; photo?: string | null }): Promise<AlarmChange | null> {
  const patrol = await patrolOf(tx, scheduleId);
  if (!patrol) throw new FacilityError(404, `patrol ${scheduleId} does not exist`);
  await tx.query('INSERT INTO patrol_checkins (schedule_id, at, by_user, note, photo) VALUES ($1, $2, $3, $4, $5)', [scheduleId, c.at, c.by, c.note ?? '', c.photo ?? null]);
  return clearAlarm(tx, patrol.sensorId, MISSED_PATROL_RULE_ID, 0, c.at);
}

/**
 * Records every patrol whose window closed by `now` without a check-in (once: patrol_misses),
 * and opens the schedule's missed-patrol alarm (its value: misses since the last check-in).
 * Runs on the leader only, like the offline check.
 */
export async function checkMissedPatrols(db: Db, now: Date): Promise<AlarmChange[]> {
  const schedules = await db.query<ScheduleRow>(
    `SELECT id::text AS id, facility_id, name, interval_minutes, window_minutes, starts_at, active, sensor_id FROM patrol_schedules WHERE active AND starts_at <= $1 ORDER BY id`, [now],
  );
  const changes: AlarmChange[] = [];
  for (const s of schedules) {
    const change = await db.transaction(async (tx) => {
      const checkins = (await tx.query<{ at: Date }>(`SELECT at FROM patrol_checkins WHERE schedule_id = $1 AND at > $2::timestamptz - interval '2 days'`, [s.id, now])).map((r) => r.at);
      const missed = missedPatrols(toSchedule(s), checkins, now);
      let fresh = 0;
      for (const due of missed) {
        const rows = await tx.query(`INSERT INTO patrol_misses (schedule_id, due_at, found_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING due_at`, [s.id, due, now]);
        fresh += rows.length;
      }
      if (fresh === 0) return null;
      const [since] = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM patrol_misses WHERE schedule_id = $1 AND due_at > coalesce((SELECT max(at) FROM patrol_checkins WHERE schedule_id = $1), '-infinity')`, [s.id],
      );
      const opened = await raiseAlarm(tx, s.sensor_id, MISSED_PATROL_RULE_ID, MISSED_PATROL_LEVEL, since?.n ?? fresh, now);
      if (opened) await tx.query('UPDATE patrol_misses SET alarm_id = $3 WHERE schedule_id = $1 AND found_at = $2', [s.id, now, opened.alarmId]);
      return opened;
    });
    if (change) changes.push(change);
  }
  return changes;
}

export async function addMaintenance(tx: Queryable, facilityId: string, e: { at: Date; kind: string; description: string; runHours?: number | null }): Promise<void> {
  await tx.query('INSERT INTO maintenance_log (asset_id, at, kind, description, run_hours) VALUES ($1, $2, $3, $4, $5)', [facilityId, e.at, e.kind, e.description, e.runHours ?? null]);
  if (e.runHours !== undefined && e.runHours !== null) {
    await tx.query(
      `INSERT INTO asset_health (asset_id, run_hours) VALUES ($1, $2) ON CONFLICT (asset_id) DO UPDATE SET run_hours = GREATEST(coalesce(asset_health.run_hours, 0), EXCLUDED.run_hours)`,
      [facilityId, e.runHours],
    );
  }
}
