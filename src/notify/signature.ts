// Signatures of webhook deliveries, both ways, in the style of Stripe's: the header
// `X-Lifeline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` signs `<t>.<delivery id>.<body>`
// with the subscription's (or integration key's) secret. The delivery id is signed too, so a
// captured body cannot be replayed under a fresh id within the timestamp tolerance.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-lifeline-signature';
export const DELIVERY_HEADER = 'x-lifeline-delivery';
export const EVENT_HEADER = 'x-lifeline-event';
/** How far a signed timestamp may be from the receiver's clock. */
export const TIMESTAMP_TOLERANCE_S = 300;

export function signPayload(secret: string, timestamp: number, deliveryId: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${deliveryId}.${body}`).digest('hex');
}

export function signatureHeader(secret: string, timestamp: number, deliveryId: string, body: string): string {
  return `t=${timestamp},v1=${signPayload(secret, timestamp, deliveryId, body)}`;
}

export type Verification = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Checks a signature header against the body as received (byte for byte) and the clock: a
 * malformed header, a timestamp outside the tolerance (stale or from the future) or a signature
 * that matches none of the v1 values is refused with the reason.
 */
export function verifySignature(input: {
  header: string | undefined; secret: string; deliveryId: string; body: string; nowMs: number; toleranceS?: number;
}): Verification {
  const tolerance = input.toleranceS ?? TIMESTAMP_TOLERANCE_S;
  if (!input.header) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const parts = input.header.split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v!);
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) return { ok: false, reason: `${SIGNATURE_HEADER} must read t=<unix seconds>,v1=<hex>` };
  const timestamp = Number(t);
  const skew = Math.round(input.nowMs / 1000 - timestamp);
  if (Math.abs(skew) > tolerance) {
    return { ok: false, reason: `timestamp ${timestamp} is ${Math.abs(skew)} s ${skew > 0 ? 'old' : 'ahead'}; deliveries are accepted within ${tolerance} s` };
  }
  const expected = Buffer.from(signPayload(input.secret, timestamp, input.deliveryId, input.body), 'hex');
  const matches = signatures.some((s) => {
    const given = Buffer.from(s, 'hex');
    return /^[0-9a-f]+$/i.test(s) && given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'signature does not match (HMAC-SHA256 of "<t>.<delivery id>.<body>" with the shared secret)' };
}
