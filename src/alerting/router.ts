import type { AlarmChange, WarningLevel } from '../detect/index.ts';
import { openIncidentsForAlarms, type AlarmContext } from '../incidents/index.ts';
import type { NetworkKind, NetworkTwin } from '../network/index.ts';
import type { Queryable } from '../store/index.ts';
import { DEFAULT_FLAPPING, flappingMutes, isFlapping, type FlappingPolicy } from './flapping.ts';
import { DEFAULT_INHIBITIONS, isAlarmSource, isTarget, scopeOf, type InhibitionRule } from './inhibition.ts';
import { silenceMatches, silencesInForce } from './silences.ts';
import type { AlarmSubject, Mute, Silence } from './types.ts';

export interface AlertingOptions {
  /**
   * The network model, for inhibition scopes (downstream, isolation segment); loaded once, on
   * first need, through the caller's transaction (PGlite has one connection).
   */
  twin: (db: Queryable) => Promise<NetworkTwin>;
  inhibitions?: InhibitionRule[];
  flapping?: FlappingPolicy;
  /** Alarms at or above this level open an incident (INCIDENT_LEVEL). */
  incidentLevel: number;
  /** Title, asset and owner of an alarm's incident (what the ingest pipeline uses too). */
  context: (change: AlarmChange) => AlarmContext | undefined;
  /**
   * The notification outbox: given, in the routing's own transaction, the changes that passed
   * noise control (`handled`), so every maker of alarm changes — ingest, the timers, a request —
   * writes their webhook deliveries and messages with the change itself.
   */
  record?: (tx: Queryable, handled: AlarmChange[], now: Date) => Promise<unknown>;
}

/** Why a notification goes out for an alarm. */
export type NoticeReason = 'raised' | 'escalated' | 'unmuted' | 'flapping';
export interface Notice {
  alarmId: string;
  reason: NoticeReason;
}

export interface Routed {
  /** The changes to act on (incidents, notifications): the unmuted ones, and alarms un-muted now (as `open`). */
  handled: AlarmChange[];
  /** Every alarm whose row changed, detection's and those muted, un-muted or un-acknowledged as a consequence. */
  alarmIds: string[];
  /** What to notify, one entry per alarm; grouped per asset on the way out. */
  notices: Notice[];
}

/** What the ingest pipeline needs of noise control. */
export interface AlarmRouting {
  route(tx: Queryable, changes: AlarmChange[], now: Date): Promise<Routed>;
}

interface SubjectRow {
  id: string; sensor_id: string; rule_id: string; level: number; last_value: number; opened_at: Date; state: string;
  asset_id: string; asset_type: string; owner_id: string; device_id: string; indicator: string; network: NetworkKind; area_ids: string[];
  muted_by: Mute['by'] | null; muted_ref: string | null; muted_reason: string | null; flapping: boolean; category: AlarmCategory;
}

interface Subject extends AlarmSubject {
  ownerId: string;
  state: string;
  lastValue: number;
  mute: Mute | null;
  flapping: boolean;
  category: AlarmCategory;
}

/** When a flapping episode last (re-)opened: its flapping mute runs a window from then. */
const LAST_OPENED = `CASE WHEN a.flapping THEN coalesce((SELECT max(e.at) FROM alarm_events e WHERE e.alarm_id = a.id AND e.kind IN ('open', 'reopen')), a.opened_at)
  ELSE a.opened_at END`;

const SUBJECT_SQL = `SELECT a.id::text AS id, a.sensor_id, a.rule_id, a.level, a.last_value, ${LAST_OPENED} AS opened_at, a.state,
       s.asset_id, t.asset_type, t.owner_id, s.device_id, s.indicator, t.network,
       coalesce((SELECT array_agg(x.area_id ORDER BY x.area_id) FROM asset_areas x WHERE x.asset_id = s.asset_id), '{}') AS area_ids,
       a.muted_by, a.muted_ref, a.muted_reason, a.flapping, a.category
  FROM alarms a JOIN sensors s ON s.id = a.sensor_id
  -- One primary-key lookup per alarm: a join would hash the whole asset table (122k rows in a city).
  CROSS JOIN LATERAL (SELECT asset_type, owner_id, network FROM assets WHERE id = s.asset_id OFFSET 0) t`;

/**
 * Whether a silence in force at $1 could match the alarm: the same test as silenceMatches, in SQL,
 * so that a periodic re-decision reads only the alarms a silence may concern.
 */
const MAY_BE_SILENCED = `EXISTS (SELECT 1 FROM silences z
  WHERE z.starts_at <= $1 AND z.ends_at > $1 AND (z.ended_at IS NULL OR z.ended_at > $1) AND (z.org_id IS NULL OR z.org_id = t.owner_id)
    AND coalesce(z.matchers->>'sensorId', a.sensor_id) = a.sensor_id AND coalesce(z.matchers->>'assetId', s.asset_id) = s.asset_id
    AND coalesce(z.matchers->>'deviceId', s.device_id) = s.device_id AND coalesce(z.matchers->>'indicator', s.indicator) = s.indicator
    AND coalesce(z.matchers->>'ruleId', a.rule_id) = a.rule_id AND coalesce(z.matchers->>'network', t.network) = t.network
    AND (z.matchers->>'areaId' IS NULL OR EXISTS (SELECT 1 FROM asset_areas x WHERE x.asset_id = s.asset_id AND x.area_id = z.matchers->>'areaId')))`;

function toSubject(r: SubjectRow): Subject {
  return {
    alarmId: r.id, sensorId: r.sensor_id, ruleId: r.rule_id, level: r.level as WarningLevel, assetId: r.asset_id, assetType: r.asset_type,
    ownerId: r.owner_id, deviceId: r.device_id, indicator: r.indicator, network: r.network, areaIds: r.area_ids, openedAt: r.opened_at,
    state: r.state, lastValue: r.last_value, flapping: r.flapping, category: r.category,
    mute: r.muted_by ? { by: r.muted_by, ref: r.muted_ref ?? '', reason: r.muted_reason ?? '' } : null,
  };
}

const sameMute = (a: Mute | null, b: Mute | null) => (a === null ? b === null : b !== null && a.by === b.by && a.ref === b.ref);

interface Source {
  rule: InhibitionRule;
  /** `alarm:<id>` or `incident:<id>` */
  ref: string;
  alarmId: string | null;
  assetId: string;
}

/**
 * Noise control between detection and what follows it. Runs inside the caller's transaction:
 * decides for each alarm whether a silence, an inhibition or flapping mutes it, records the
 * decision on the alarm row and in its timeline, and says which changes go on to open incidents
 * and notifications. A silence wins over an inhibition, an inhibition over flapping.
 */
export class AlarmRouter implements AlarmRouting {
  readonly inhibitions: InhibitionRule[];
  readonly flapping: FlappingPolicy;
  private twin: Promise<NetworkTwin> | null = null;
  /** When reconcileIfDue last re-decided (null: not yet in this process). */
  private lastCheck: Date | null = null;
  private scopes = new Map<string, Set<string>>();

  constructor(private readonly options: AlertingOptions) {
    this.inhibitions = options.inhibitions ?? DEFAULT_INHIBITIONS;
    this.flapping = options.flapping ?? DEFAULT_FLAPPING;
  }

  /** Forget the network model (after an import): scopes are computed afresh. */
  invalidateTopology(): void {
    this.twin = null;
    this.scopes.clear();
  }

  /** Routes what detection just changed (the ingest transaction, the offline check). */
  async route(tx: Queryable, changes: AlarmChange[], now: Date): Promise<Routed> {
    if (changes.length === 0) return { handled: [], alarmIds: [], notices: [] };
    const changed = [...new Set(changes.map((c) => c.alarmId))];
    const reopened = changes.filter((c) => c.kind === 'reopen').map((c) => c.alarmId);
    const unacked = [
      ...(await this.resetAck(tx, changes.filter((c) => c.kind === 'escalate').map((c) => c.alarmId), now, (level) => `escalated to level ${level}: acknowledge again`)),
      ...(await this.resetAck(tx, reopened, now, () => 're-opened: acknowledge again')),
    ];
    const opened = [...changes.filter((c) => c.kind === 'open').map((c) => c.alarmId), ...reopened];
    const newlyFlapping = await this.markFlapping(tx, opened);

    const subjects = (await tx.query<SubjectRow & Record<string, unknown>>(`${SUBJECT_SQL} WHERE a.id = ANY($1::bigint[]) FOR UPDATE OF a`, [changed])).map(toSubject);
    // A source that opened or cleared changes what its targets should be.
    const changedSources = this.inhibitions.flatMap((rule) => subjects.filter((s) => isAlarmSource(rule, s))
      .map((s): Source => ({ rule, ref: `alarm:${s.alarmId}`, alarmId: s.alarmId, assetId: s.assetId })));
    const seen = new Set(subjects.map((s) => s.alarmId));
    for (const target of await this.targetsInScope(tx, changedSources)) if (!seen.has(target.alarmId)) subjects.push(target);

    const transitions = await this.settle(tx, subjects.filter((s) => s.state === 'active'), now);
    const muteOf = new Map(subjects.map((s) => [s.alarmId, s.mute]));
    for (const t of transitions) muteOf.set(t.subject.alarmId, t.to);

    const handled: AlarmChange[] = [];
    const notices: Notice[] = [];
    for (const change of changes) {
      if (muteOf.get(change.alarmId)) continue;
      handled.push(change);
      if (change.kind === 'escalate') notices.push({ alarmId: change.alarmId, reason: 'escalated' });
      else if (change.kind === 'open' || change.kind === 'reopen') notices.push({ alarmId: change.alarmId, reason: 'raised' });
    }
    for (const id of newlyFlapping) if (muteOf.get(id)?.by === 'flapping') notices.push({ alarmId: id, reason: 'flapping' });
    const changedSet = new Set(changed);
    for (const t of transitions) {
      if (t.to !== null || changedSet.has(t.subject.alarmId)) continue;
      handled.push(reraise(t.subject));
      notices.push({ alarmId: t.subject.alarmId, reason: 'unmuted' });
    }
    await this.options.record?.(tx, handled, now);
    return { handled, alarmIds: [...new Set([...changed, ...unacked, ...transitions.map((t) => t.subject.alarmId)])], notices };
  }

  /**
   * Re-decides every active alarm at `now` (the timer; after a silence is created or ended): a
   * silence that expired un-mutes, a new one mutes, a flapping episode that stood a whole window
   * stands. An alarm un-muted here is handled as if it had just opened: its incident opens when
   * its level calls for one.
   */
  async reconcile(tx: Queryable, now: Date): Promise<Routed> {
    // Only alarms whose decision may change: the muted ones, those a silence in force may match,
    // and targets within the scope of a standing source.
    const sources = await this.sources(tx);
    const subjects = (await tx.query<SubjectRow & Record<string, unknown>>(
      `${SUBJECT_SQL} WHERE a.state = 'active' AND (a.muted_by IS NOT NULL OR ${MAY_BE_SILENCED}) ORDER BY a.id FOR UPDATE OF a`, [now],
    )).map(toSubject);
    const seen = new Set(subjects.map((s) => s.alarmId));
    for (const target of await this.targetsInScope(tx, sources)) if (!seen.has(target.alarmId)) subjects.push(target);
    const transitions = await this.settle(tx, subjects, now, sources);
    const handled = transitions.filter((t) => t.to === null).map((t) => reraise(t.subject));
    await openIncidentsForAlarms(tx, handled, this.options.incidentLevel, this.options.context, now);
    await this.options.record?.(tx, handled, now);
    return {
      handled,
      alarmIds: transitions.map((t) => t.subject.alarmId),
      notices: handled.map((c) => ({ alarmId: c.alarmId, reason: 'unmuted' as const })),
    };
  }

  /**
   * The timer's entry: re-decides only when something may have changed since the last check — a
   * silence created, started, expired or ended, an incident changed (a confirmed burst is a
   * source), a flapping episode that has stood a whole window — so a quiet minute costs three
   * small queries, however many alarms are active.
   */
  async reconcileIfDue(tx: Queryable, now: Date): Promise<Routed> {
    const since = this.lastCheck;
    if (since !== null) {
      const [due] = await tx.query<{ due: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM silences WHERE created_at > $1 OR (starts_at > $1 AND starts_at <= $2)
                          OR (ends_at > $1 AND ends_at <= $2) OR (ended_at > $1 AND ended_at <= $2))
             OR EXISTS (SELECT 1 FROM incidents WHERE updated_at > $1)
             OR EXISTS (SELECT 1 FROM alarms a WHERE a.state = 'active' AND a.muted_by = 'flapping'
                          AND ${LAST_OPENED} <= $2::timestamptz - make_interval(secs => $3::double precision)) AS due`,
        [since, now, this.flapping.windowMs / 1000],
      );
      if (!due!.due) return { handled: [], alarmIds: [], notices: [] };
    }
    const routed = await this.reconcile(tx, now);
    this.lastCheck = now;
    return routed;
  }

  /** An escalation or a re-opening re-requires acknowledgement (ISA-18.2; Alertmanager re-notifies on a new severity). */
  private async resetAck(tx: Queryable, ids: string[], now: Date, why: (level: number) => string): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await tx.query<{ id: string; level: number; last_value: number }>(
      `UPDATE alarms SET acked_at = NULL, acked_by = NULL, ack_comment = NULL
        WHERE id = ANY($1::bigint[]) AND acked_at IS NOT NULL RETURNING id::text AS id, level, last_value`,
      [ids],
    );
    for (const r of rows) await recordEvent(tx, r.id, 'unack', r.level, r.last_value, now, 'system', why(r.level));
    return rows.map((r) => r.id);
  }

  /** Marks each opened episode flapping or not; returns those whose pair starts flapping now (notified once). */
  private async markFlapping(tx: Queryable, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await tx.query<{ id: string; opens: number; before: boolean }>(
      `WITH latest AS (
         SELECT e.alarm_id, max(e.at) AS at FROM alarm_events e
          WHERE e.alarm_id = ANY($1::bigint[]) AND e.kind IN ('open', 'reopen') GROUP BY e.alarm_id
       )
       SELECT a.id::text AS id,
              (SELECT count(*)::int FROM alarm_events e JOIN alarms b ON b.id = e.alarm_id
                WHERE b.sensor_id = a.sensor_id AND b.rule_id = a.rule_id AND e.kind IN ('open', 'reopen')
                  AND e.at > l.at - make_interval(secs => $2::double precision) AND e.at <= l.at) AS opens,
              EXISTS (SELECT 1 FROM alarms b WHERE b.sensor_id = a.sensor_id AND b.rule_id = a.rule_id AND b.flapping
                         AND (b.state = 'active' OR b.cleared_at > l.at - make_interval(secs => $2::double precision))) AS before
         FROM latest l JOIN alarms a ON a.id = l.alarm_id`,
      [ids, this.flapping.windowMs / 1000],
    );
    const flapping = rows.filter((r) => isFlapping(this.flapping, r.opens));
    await tx.query('UPDATE alarms SET flapping = (id = ANY($2::bigint[])) WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id), flapping.map((r) => r.id)]);
    return flapping.filter((r) => !r.before).map((r) => r.id);
  }

  /** The active alarms the sources' rules target on the assets in their scopes. */
  private async targetsInScope(tx: Queryable, sources: Source[]): Promise<Subject[]> {
    if (sources.length === 0) return [];
    const rules = [...new Set(sources.map((s) => s.rule))];
    const ruleIds = [...new Set(rules.flatMap((r) => r.target.ruleIds ?? []))];
    const indicators = [...new Set(rules.flatMap((r) => r.target.indicators ?? []))];
    const assets = new Set<string>();
    for (const source of sources) for (const id of await this.scope(tx, source)) assets.add(id);
    const rows = await tx.query<SubjectRow & Record<string, unknown>>(
      `${SUBJECT_SQL} WHERE a.state = 'active' AND (a.rule_id = ANY($1::text[]) OR s.indicator = ANY($2::text[])) AND s.asset_id = ANY($3::text[])
        ORDER BY a.id FOR UPDATE OF a`,
      [ruleIds, indicators, [...assets]],
    );
    return rows.map(toSubject);
  }

  /** Decides the mute of each active subject and writes the ones that change; returns those transitions. */
  private async settle(tx: Queryable, subjects: Subject[], now: Date, standing?: Source[]): Promise<{ subject: Subject; to: Mute | null }[]> {
    if (subjects.length === 0) return [];
    const silences = await silencesInForce(tx, now);
    const sources = standing ?? (this.inhibitions.some((rule) => subjects.some((s) => isTarget(rule, s))) ? await this.sources(tx) : []);
    const transitions: { subject: Subject; to: Mute | null }[] = [];
    for (const subject of subjects) {
      const to = await this.muteFor(tx, subject, silences, sources, now);
      if (sameMute(subject.mute, to)) continue;
      await tx.query('UPDATE alarms SET muted_by = $2, muted_ref = $3, muted_reason = $4 WHERE id = $1', [subject.alarmId, to?.by ?? null, to?.ref ?? null, to?.reason ?? null]);
      const note = to ? `${to.by} ${to.ref}: ${to.reason}` : `${subject.mute!.by} ${subject.mute!.ref} no longer applies`;
      await recordEvent(tx, subject.alarmId, to ? 'mute' : 'unmute', subject.level, subject.lastValue, now, 'system', note);
      transitions.push({ subject, to });
    }
    return transitions;
  }

  private async muteFor(tx: Queryable, subject: Subject, silences: Silence[], sources: Source[], now: Date): Promise<Mute | null> {
    const silence = silences.find((s) => silenceMatches(s, subject));
    if (silence) return { by: 'silence', ref: silence.id, reason: silence.reason };
    for (const source of sources) {
      if (source.alarmId === subject.alarmId || !isTarget(source.rule, subject)) continue;
      if ((await this.scope(tx, source)).has(subject.assetId)) return { by: 'inhibition', ref: `${source.rule.id}:${source.ref}`, reason: source.rule.name };
    }
    if (subject.flapping && flappingMutes(this.flapping, subject.openedAt, now)) {
      return { by: 'flapping', ref: `${subject.sensorId}/${subject.ruleId}`, reason: `opened more than ${this.flapping.opens} times in ${this.flapping.windowMs / 60_000} min` };
    }
    return null;
  }

  private async scope(tx: Queryable, source: Source): Promise<Set<string>> {
    const key = `${source.rule.id}\u0000${source.assetId}`;
    let assets = this.scopes.get(key);
    if (!assets) {
      this.twin ??= this.options.twin(tx).catch((error) => ((this.twin = null), Promise.reject(error)));
      assets = scopeOf(await this.twin, source.rule, source.assetId);
      this.scopes.set(key, assets);
    }
    return assets;
  }

  /** The sources standing now: active alarms that are not themselves inhibited, confirmed incidents. */
  private async sources(tx: Queryable): Promise<Source[]> {
    const sources: Source[] = [];
    for (const rule of this.inhibitions) {
      const s = rule.source;
      if (s.from === 'alarm') {
        const rows = await tx.query<{ id: string; asset_id: string }>(
          `SELECT a.id::text AS id, s.asset_id FROM alarms a JOIN sensors s ON s.id = a.sensor_id JOIN assets t ON t.id = s.asset_id
            WHERE a.state = 'active' AND a.muted_by IS DISTINCT FROM 'inhibition' AND t.asset_type = ANY($1::text[])
              AND (a.rule_id = ANY($2::text[]) OR s.indicator = ANY($3::text[])) ORDER BY a.id`,
          [s.assetTypes, s.ruleIds ?? [], s.indicators ?? []],
        );
        sources.push(...rows.map((r) => ({ rule, ref: `alarm:${r.id}`, alarmId: r.id, assetId: r.asset_id })));
      } else {
        const rows = await tx.query<{ id: string; asset_id: string }>(
          `SELECT i.id::text AS id, i.asset_id FROM incidents i JOIN assets t ON t.id = i.asset_id
            WHERE i.state = ANY($1::text[]) AND t.asset_type = ANY($2::text[]) AND t.network = ANY($3::text[]) ORDER BY i.id`,
          [s.states, s.assetTypes, s.networks],
        );
        sources.push(...rows.map((r) => ({ rule, ref: `incident:${r.id}`, alarmId: null, assetId: r.asset_id })));
      }
    }
    return sources;
  }
}

/** Emergency alarms may open incidents; maintenance ones (sensor faults, offline) never do (migration 008). */
type AlarmCategory = 'emergency' | 'maintenance';

/** An alarm un-muted now is handled as a fresh opening at its current level, in its category. */
function reraise(subject: Subject): AlarmChange {
  const change: AlarmChange & { category?: AlarmCategory } = {
    kind: 'open', alarmId: subject.alarmId, sensorId: subject.sensorId, ruleId: subject.ruleId, level: subject.level, category: subject.category,
  };
  return change;
}

export async function recordEvent(
  tx: Queryable, alarmId: string, kind: 'ack' | 'unack' | 'mute' | 'unmute', level: number, value: number, at: Date, actor: string, note: string,
): Promise<void> {
  await tx.query(
    'INSERT INTO alarm_events (alarm_id, kind, level, value, at, actor, note) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [alarmId, kind, level, value, at, actor, note],
  );
}
