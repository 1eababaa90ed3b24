import type { Queryable } from '../store/index.ts';

export interface DeadLetter {
  id: string;
  receivedAt: string;
  source: string;
  deviceId: string | null;
  payload: string;
  reason: string;
}

export async function listDeadLetters(db: Queryable, limit = 200): Promise<DeadLetter[]> {
  const rows = await db.query<{ id: string; received_at: Date; source: string; device_id: string | null; payload: string; reason: string }>(
    `SELECT id::text AS id, received_at, source, device_id, payload, reason FROM dead_letters ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ id: r.id, receivedAt: r.received_at.toISOString(), source: r.source, deviceId: r.device_id, payload: r.payload, reason: r.reason }));
}
