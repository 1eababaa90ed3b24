// Citizen intake over Open311 GeoReport v2 (the 12345 hotline's systems and apps): the service
// list, a report → a `reported` incident for the centre to verify, and the public view of a
// request (status, agency_responsible = the dispatched owner unit, expected_datetime from the SLA).
import type { WarningLevel } from '../detect/index.ts';
import type { Queryable } from '../store/index.ts';
import type { IncidentType } from './incident-types.ts';
import { currentSlaVersion, expectedCompletion, policyFor, slaTables, type SlaStage } from './sla.ts';
import type { IncidentState } from './workflow.ts';

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: false;
  type: 'realtime';
  keywords: string;
  group: string;
}

interface ServiceDef {
  code: string;
  zh: string;
  en: string;
  network: 'gas' | 'water' | 'drainage' | null;
  /** The warning level the report starts at (sets its deadlines). */
  level: WarningLevel;
  keywords: string;
}

export const OPEN311_SERVICES: readonly ServiceDef[] = [
  { code: 'gas_smell', zh: '燃气异味', en: 'Gas smell', network: 'gas', level: 2, keywords: 'gas,smell,leak,燃气,异味' },
  { code: 'water_leak', zh: '供水管漏水', en: 'Water main leak', network: 'water', level: 3, keywords: 'water,leak,burst,供水,漏水,爆管' },
  { code: 'no_water', zh: '停水或水压低', en: 'No water or low pressure', network: 'water', level: 4, keywords: 'water,pressure,停水,水压' },
  { code: 'manhole_cover', zh: '井盖缺失或破损', en: 'Missing or broken manhole cover', network: 'drainage', level: 2, keywords: 'manhole,cover,井盖' },
  { code: 'waterlogging', zh: '道路积水', en: 'Waterlogging', network: 'drainage', level: 3, keywords: 'flood,waterlogging,积水,内涝' },
  { code: 'sewage_overflow', zh: '污水冒溢', en: 'Sewage overflow', network: 'drainage', level: 3, keywords: 'sewage,overflow,污水,冒溢' },
  { code: 'road_collapse', zh: '路面塌陷', en: 'Road surface collapse', network: null, level: 2, keywords: 'collapse,sinkhole,塌陷' },
  { code: 'other', zh: '其他城市生命线问题', en: 'Other lifeline problem', network: null, level: 4, keywords: 'other,其他' },
];

export function open311Services(): Open311Service[] {
  return OPEN311_SERVICES.map((s) => ({
    service_code: s.code, service_name: `${s.zh} ${s.en}`, description: `${s.en} (${s.zh})`, metadata: false, type: 'realtime',
    keywords: s.keywords, group: s.network ?? 'general',
  }));
}

export function serviceByCode(code: string): ServiceDef | undefined {
  return OPEN311_SERVICES.find((s) => s.code === code);
}

export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  service_code: string | null;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: null;
  zipcode: null;
  lat: number | null;
  long: number | null;
  media_url: null;
}

/** States after a dispatch that was not declined: the owner unit is responsible. */
const WITH_UNIT: readonly IncidentState[] = ['dispatched', 'accepted', 'on_site', 'disposed', 'closed'];

const STATUS_NOTES: Record<IncidentState, string> = {
  reported: 'received, awaiting verification by the monitoring centre',
  verified: 'verified, being dispatched',
  rejected: 'closed without action',
  dispatched: 'dispatched to the responsible unit',
  accepted: 'accepted by the responsible unit',
  on_site: 'crew on site',
  disposed: 'handled, awaiting review',
  closed: 'handled and closed',
};

export interface Open311Filter {
  ids?: string[];
  serviceCode?: string;
  status?: 'open' | 'closed';
  start?: Date;
  end?: Date;
  limit?: number;
}

/** Citizen reports (kind 'citizen') as GeoReport v2 requests, newest first. The reporter's contact is never included. */
export async function listOpen311Requests(db: Queryable, filter: Open311Filter): Promise<Open311Request[]> {
  const rows = await db.query<{
    id: string; state: IncidentState; level: number; service_code: string | null; description: string | null; owner_name: string | null;
    opened_at: Date; updated_at: Date; due_stage: SlaStage | null; due_at: Date | null; address: string | null; lon: number | null; lat: number | null;
    last_reason: string | null; incident_type: IncidentType; sla_version: number | null;
  }>(
    `SELECT i.id::text AS id, i.state, i.level, i.service_code, i.description, o.name AS owner_name, i.opened_at, i.updated_at,
            i.due_stage, i.due_at, i.address, i.lon, i.lat, i.incident_type, i.sla_version,
            (SELECT a.reason FROM incident_audit a WHERE a.incident_id = i.id AND a.to_state = i.state ORDER BY a.seq DESC LIMIT 1) AS last_reason
       FROM incidents i LEFT JOIN organisations o ON o.id = i.owner_id
      WHERE i.kind = 'citizen' AND ($1::bigint[] IS NULL OR i.id = ANY($1::bigint[])) AND ($2::text IS NULL OR i.service_code = $2)
        AND ($3::text IS NULL OR (CASE WHEN i.state IN ('closed', 'rejected') THEN 'closed' ELSE 'open' END) = $3)
        AND ($4::timestamptz IS NULL OR i.opened_at >= $4) AND ($5::timestamptz IS NULL OR i.opened_at <= $5)
      ORDER BY i.opened_at DESC, i.id DESC LIMIT $6`,
    [filter.ids ?? null, filter.serviceCode ?? null, filter.status ?? null, filter.start ?? null, filter.end ?? null, filter.limit ?? 1000],
  );
  const tables = await slaTables(db, rows.flatMap((r) => (r.sla_version === null ? [] : [r.sla_version])));
  const current = (await currentSlaVersion(db)).table;
  return rows.map((r) => {
    const service = r.service_code ? serviceByCode(r.service_code) : undefined;
    const closed = r.state === 'closed' || r.state === 'rejected';
    return {
      service_request_id: r.id, status: closed ? 'closed' : 'open',
      status_notes: r.state === 'rejected' && r.last_reason ? `${STATUS_NOTES.rejected}: ${r.last_reason}` : STATUS_NOTES[r.state],
      service_name: service ? `${service.zh} ${service.en}` : null, service_code: r.service_code, description: r.description,
      agency_responsible: WITH_UNIT.includes(r.state) ? r.owner_name : null, service_notice: null,
      requested_datetime: r.opened_at.toISOString(), updated_datetime: r.updated_at.toISOString(),
      expected_datetime: expectedCompletion(policyFor((r.sla_version !== null && tables.get(r.sla_version)) || current, r.incident_type), r.level as WarningLevel, r.due_stage, r.due_at)?.toISOString() ?? null,
      address: r.address, address_id: null, zipcode: null, lat: r.lat, long: r.lon, media_url: null,
    };
  });
}
