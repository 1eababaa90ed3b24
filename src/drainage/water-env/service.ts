// Wiring of the water-environment checks: station classes per day from the day rollups,
// deterioration alarms, rain-class alarms, and the per-river trend the page shows.
import type { AlarmChange } from '../../detect/index.ts';
import { readSeries, type Db, type Queryable } from '../../store/index.ts';
import { clearAlarm, raiseAlarm, RAIN_CLASS_RULE_ID, WATER_CLASS_RULE_ID } from '../alarms/index.ts';
import { classify, classifyDays, GB3838_LIMITS, type Classification, type DailyClass, type DailyMean, type WaterClass, type Waterbody } from '../water-quality.ts';
import { classRank, deterioration, isWaterClass, rainClass, rainLevel, type Deterioration, type RainClass } from './classes.ts';

const DAY_MS = 86_400_000;
/** What rain gauges report: the rainfall of the trailing hour, mm/h (reported every few minutes). */
export const RAIN_INDICATOR = 'rainfall';

/** The local date (YYYY-MM-DD) of an instant in the deployment's zone. */
export const localDate = (at: Date, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

export interface Station {
  id: string;
  name: string;
  ownerId: string;
  river: string | null;
  waterbody: Waterbody;
  targetClass: WaterClass | null;
  /** One sensor per classed indicator (the first by id). */
  sensors: { id: string; indicator: string }[];
}

/** Monitoring stations (river network, type monitoring_station) with their classed sensors. */
export async function listStations(db: Queryable): Promise<Station[]> {
  const rows = await db.query<{ id: string; name: string; owner_id: string; attributes: Record<string, unknown>; sensor_id: string | null; indicator: string | null }>(
    `SELECT a.id, a.name, a.owner_id, a.attributes, s.id AS sensor_id, s.indicator
       FROM assets a LEFT JOIN sensors s ON s.asset_id = a.id
      WHERE a.asset_type = 'monitoring_station' ORDER BY a.id, s.id`,
  );
  const stations = new Map<string, Station>();
  for (const r of rows) {
    let station = stations.get(r.id);
    if (!station) {
      const waterbody: Waterbody = r.attributes.waterbody === 'lake' || r.attributes.waterbody === 'reservoir' ? 'lake' : 'river';
      const river = typeof r.attributes.river === 'string' ? r.attributes.river : typeof r.attributes.receivingWater === 'string' ? r.attributes.receivingWater : null;
      station = { id: r.id, name: r.name, ownerId: r.owner_id, river, waterbody, targetClass: isWaterClass(r.attributes.targetClass) ? r.attributes.targetClass : null, sensors: [] };
      stations.set(r.id, station);
    }
    const item = r.indicator ? GB3838_LIMITS[r.indicator] : undefined;
    if (!r.sensor_id || !r.indicator || !item || (item.lakeOnly && station.waterbody !== 'lake')) continue;
    if (!station.sensors.some((s) => s.indicator === r.indicator)) station.sensors.push({ id: r.sensor_id, indicator: r.indicator });
  }
  return [...stations.values()];
}

/** A station's class per local day: the classification of each day's mean per indicator. */
export async function stationDays(db: Queryable, station: Station, from: Date, to: Date, timeZone: string, now: Date): Promise<DailyClass[]> {
  const means: DailyMean[] = [];
  for (const sensor of station.sensors) {
    for (const p of await readSeries(db, sensor.id, from, to, '1d', timeZone, now)) {
      means.push({ date: localDate(new Date(p.ts), timeZone), start: p.ts, indicator: sensor.indicator, mean: p.avg });
    }
  }
  return classifyDays(means, { waterbody: station.waterbody });
}

export interface SampleClass extends Classification {
  ts: string;
  values: Record<string, number>;
}

/**
 * Each sample of a station classed on its own: the readings its sensors took at the same instant
 * (a water-quality station reports all its items in one message) form one sample. At most
 * `limit` samples, the newest.
 */
export async function stationSamples(db: Queryable, station: Station, from: Date, to: Date, limit = 2000): Promise<SampleClass[]> {
  if (station.sensors.length === 0) return [];
  const indicatorOf = new Map(station.sensors.map((s) => [s.id, s.indicator]));
  const rows = await db.query<{ ts: Date; sensor_id: string; value: number }>(
    `WITH stamps AS (
       SELECT DISTINCT ts FROM readings WHERE sensor_id = ANY($1::text[]) AND ts >= $2 AND ts < $3 ORDER BY ts DESC LIMIT $4
     )
     SELECT r.ts, r.sensor_id, r.value FROM readings r JOIN stamps USING (ts) WHERE r.sensor_id = ANY($1::text[]) ORDER BY r.ts, r.sensor_id`,
    [[...indicatorOf.keys()], from, to, limit],
  );
  const samples = new Map<number, Record<string, number>>();
  for (const r of rows) {
    const values = samples.get(r.ts.getTime()) ?? {};
    values[indicatorOf.get(r.sensor_id)!] = r.value;
    samples.set(r.ts.getTime(), values);
  }
  return [...samples].map(([ts, values]) => ({ ts: new Date(ts).toISOString(), values, ...classify(values, { waterbody: station.waterbody }) }));
}

export interface RiverTrendDay {
  date: string;
  /** The worst class among the river's stations that day. */
  class: WaterClass;
  stations: number;
}

/** Per river, per day: the worst station class (a river is as good as its worst section). */
export function riverTrend(stationDaysById: Map<Station, DailyClass[]>): Record<string, RiverTrendDay[]> {
  const byRiver = new Map<string, Map<string, { worst: WaterClass; n: number }>>();
  for (const [station, days] of stationDaysById) {
    const river = station.river ?? station.name;
    const dates = byRiver.get(river) ?? new Map();
    byRiver.set(river, dates);
    for (const d of days) {
      if (!d.class) continue;
      const cur = dates.get(d.date);
      if (!cur) dates.set(d.date, { worst: d.class, n: 1 });
      else dates.set(d.date, { worst: classRank(d.class) > classRank(cur.worst) ? d.class : cur.worst, n: cur.n + 1 });
    }
  }
  return Object.fromEntries([...byRiver].map(([river, dates]) => [
    river, [...dates].sort(([a], [b]) => a.localeCompare(b)).map(([date, v]) => ({ date, class: v.worst, stations: v.n })),
  ]));
}

/**
 * Checks every station's last complete local day: opens (or raises) a water-class alarm when it
 * deteriorated (below target, or worse than the day before), clears it when the day is fine.
 * The alarm sits on the sensor of the (first, by sensor id) item that set the class, with that
 * item's daily mean as its value, so the alarm list reads "COD 36 mg/L"; one station keeps one
 * such alarm (an alarm on another of its sensors is cleared when the limiting item changes).
 */
export async function checkWaterClasses(db: Db, now: Date, timeZone: string): Promise<{ changes: AlarmChange[]; found: (Deterioration & { stationId: string; sensorId: string })[] }> {
  const yesterday = localDate(new Date(now.getTime() - DAY_MS), timeZone);
  const changes: AlarmChange[] = [];
  const found: (Deterioration & { stationId: string; sensorId: string })[] = [];
  for (const station of await listStations(db)) {
    if (station.sensors.length === 0) continue;
    const days = await stationDays(db, station, new Date(now.getTime() - 10 * DAY_MS), now, timeZone, now);
    const day = days.find((d) => d.date === yesterday);
    if (!day?.class) continue;
    const d = deterioration(days, yesterday, station.targetClass);
    const sensors = [...station.sensors].sort((a, b) => a.id.localeCompare(b.id));
    const limiting = sensors.find((s) => day.limiting.includes(s.indicator)) ?? sensors[0]!;
    const dayChanges = await db.transaction(async (tx) => {
      const out: (AlarmChange | null)[] = [];
      for (const s of sensors) {
        const value = day.means[s.indicator] ?? 0;
        out.push(d && s === limiting ? await raiseAlarm(tx, s.id, WATER_CLASS_RULE_ID, d.level, value, now) : await clearAlarm(tx, s.id, WATER_CLASS_RULE_ID, value, now));
      }
      return out.filter((c): c is AlarmChange => c !== null);
    });
    if (d) found.push({ ...d, stationId: station.id, sensorId: limiting.id });
    changes.push(...dayChanges);
  }
  return { changes, found };
}

export interface RainState {
  sensorId: string;
  assetId: string;
  oneHourMm: number;
  twelveHourMm: number;
  dayMm: number;
  class: RainClass | null;
}

/**
 * Rainfall per rain gauge: the last hour's is its latest report within the hour (the gauge
 * reports the trailing hour's total); the last 12 h's and 24 h's are the mean of its reports over
 * the period × its hours (the integral of the hourly rate; reports evenly spaced, a silent gauge's
 * gap is filled by its mean).
 */
export async function rainStates(db: Queryable, now: Date): Promise<RainState[]> {
  const rows = await db.query<{ id: string; asset_id: string; hour: number | null; half: number | null; day: number | null }>(
    `SELECT s.id, s.asset_id,
            (SELECT value FROM readings r WHERE r.sensor_id = s.id AND r.ts > $1::timestamptz - interval '1 hour' AND r.ts <= $1 ORDER BY r.ts DESC LIMIT 1) AS hour,
            (SELECT avg(value) * 12 FROM readings r WHERE r.sensor_id = s.id AND r.ts > $1::timestamptz - interval '12 hours' AND r.ts <= $1) AS half,
            (SELECT avg(value) * 24 FROM readings r WHERE r.sensor_id = s.id AND r.ts > $1::timestamptz - interval '24 hours' AND r.ts <= $1) AS day
       FROM sensors s WHERE s.indicator = $2 ORDER BY s.id`,
    [now, RAIN_INDICATOR],
  );
  return rows.map((r) => ({
    sensorId: r.id, assetId: r.asset_id, oneHourMm: r.hour ?? 0, twelveHourMm: r.half ?? 0, dayMm: r.day ?? 0, class: rainClass(r.half ?? 0, r.day ?? 0),
  }));
}

/** Opens, escalates or clears each rain gauge's rain-class alarm (value: the 24 h total, mm). */
export async function checkRain(db: Db, now: Date): Promise<AlarmChange[]> {
  const changes: AlarmChange[] = [];
  for (const state of await rainStates(db, now)) {
    const level = rainLevel(state.class);
    const change = await db.transaction((tx) => (level ? raiseAlarm(tx, state.sensorId, RAIN_CLASS_RULE_ID, level, state.dayMm, now) : clearAlarm(tx, state.sensorId, RAIN_CLASS_RULE_ID, state.dayMm, now)));
    if (change) changes.push(change);
  }
  return changes;
}
