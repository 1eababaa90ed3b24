import type { Queryable } from '../store/index.ts';

export interface DeadLetter {
  id: string;
  receivedAt: string;
  source: string;
  deviceId: string | null;
  payload: string;
  reason: string;
  /** A RejectionCode; null for letters stored before codes existed. */
  code: string | null;
}

/** `deviceIds`: only these devices' dead letters (an owner unit's view). */
export async function listDeadLetters(db: Queryable, options: { deviceId?: string; limit?: number; deviceIds?: string[] } = {}): Promise<DeadLetter[]> {
  const rows = await db.query<{ id: string; received_at: Date; source: string; device_id: string | null; payload: string; reason: string; code: string | null }>(
    `SELECT id::text AS id, received_at, source, device_id, payload, reason, code FROM dead_letters
      WHERE ($1::text IS NULL OR device_id = $1) AND ($3::text[] IS NULL OR device_id = ANY($3::text[])) ORDER BY id DESC LIMIT $2`,
    [options.deviceId ?? null, options.limit ?? 200, options.deviceIds ?? null],
  );
  return rows.map((r) => ({
    id: r.id, receivedAt: r.received_at.toISOString(), source: r.source, deviceId: r.device_id, payload: r.payload, reason: r.reason, code: r.code,
  }));
}

export interface DeadLetterCount {
  deviceId: string | null;
  total: number;
  /** Per RejectionCode, e.g. {"sensor_fault": 3}; letters without a code count under "unknown". */
  byCode: Record<string, number>;
  lastAt: string;
}

/** Dead letters per device (null: messages no device could be named for), most recent first. */
export async function countDeadLetters(db: Queryable, deviceId?: string): Promise<DeadLetterCount[]> {
  const rows = await db.query<{ device_id: string | null; code: string | null; n: number; last_at: Date }>(
    `SELECT device_id, code, count(*)::int AS n, max(received_at) AS last_at FROM dead_letters
      WHERE $1::text IS NULL OR device_id = $1 GROUP BY device_id, code`,
    [deviceId ?? null],
  );
  const byDevice = new Map<string | null, DeadLetterCount>();
  for (const r of rows) {
    let entry = byDevice.get(r.device_id);
    if (!entry) byDevice.set(r.device_id, (entry = { deviceId: r.device_id, total: 0, byCode: {}, lastAt: r.last_at.toISOString() }));
    entry.total += r.n;
    entry.byCode[r.code ?? 'unknown'] = (entry.byCode[r.code ?? 'unknown'] ?? 0) + r.n;
    if (r.last_at.toISOString() > entry.lastAt) entry.lastAt = r.last_at.toISOString();
  }
  return [...byDevice.values()].sort((a, b) => b.lastAt.localeCompare(a.lastAt));
}
