// Where each unit is told, per channel (notification_contacts): a group robot of its own for WeChat
// Work or DingTalk, or the phone numbers the SMS gateway sends to. A unit without one gets the
// channel's deployment-wide gateway. The robot URL carries the robot's key, so it is read only by
// the message worker and shown to admins as its origin.
import type { Queryable } from '../store/index.ts';
import type { Channel } from './channels.ts';

export interface Contact {
  orgId: string;
  channel: Channel;
  /** Robots: the URL's origin (never its key); SMS: the numbers, all but the last four digits masked. */
  target: string;
  /** A DingTalk robot's 加签 secret is set (never shown). */
  signed: boolean;
  updatedAt: string;
}

/** What the worker sends with: a robot's URL and secret, or SMS phone numbers. */
export interface ContactAddress {
  address: string;
  secret: string | null;
}

export class ContactError extends Error {}

const PHONE = /^\+?\d{6,15}$/;
const MAX_PHONES = 20;

/** The address as stored: a robot's http(s) URL, or SMS numbers comma-separated; anything else is an error naming what is wrong. */
export function normaliseContactAddress(channel: Channel, address: string): string {
  const value = address.trim();
  if (channel === 'sms') {
    const phones = value.split(/[,，\s]+/).filter(Boolean);
    if (phones.length === 0) throw new ContactError('address: give at least one phone number');
    if (phones.length > MAX_PHONES) throw new ContactError(`address: at most ${MAX_PHONES} phone numbers`);
    const bad = phones.find((p) => !PHONE.test(p));
    if (bad) throw new ContactError(`address: ${bad} is not a phone number (digits, optionally after +)`);
    return [...new Set(phones)].join(',');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ContactError(`address: ${channel} needs the group robot's URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ContactError(`address: ${url.protocol} is not http or https`);
  if (value.length > 2000) throw new ContactError('address: at most 2,000 characters');
  return url.toString();
}

function shown(channel: Channel, address: string): string {
  if (channel !== 'sms') return new URL(address).origin;
  return address.split(',').map((p) => `${p.slice(0, Math.max(0, p.length - 4)).replace(/\d/g, '*')}${p.slice(-4)}`).join(', ');
}

export async function listContacts(db: Queryable): Promise<Contact[]> {
  const rows = await db.query<{ org_id: string; channel: Channel; address: string; secret: string | null; updated_at: Date }>(
    'SELECT org_id, channel, address, secret, updated_at FROM notification_contacts ORDER BY org_id, channel',
  );
  return rows.map((r) => ({ orgId: r.org_id, channel: r.channel, target: shown(r.channel, r.address), signed: r.secret !== null, updatedAt: r.updated_at.toISOString() }));
}

/** Sets a unit's contact on a channel (replacing one it had). The organisation must exist. */
export async function setContact(db: Queryable, orgId: string, channel: Channel, address: string, secret: string | null, at: Date): Promise<Contact> {
  const stored = normaliseContactAddress(channel, address);
  if (secret !== null && channel !== 'dingtalk') throw new ContactError(`secret: only a DingTalk robot takes a signing secret, not ${channel}`);
  const org = await db.query('SELECT 1 FROM organisations WHERE id = $1', [orgId]);
  if (org.length === 0) throw new ContactError(`orgId: ${orgId} is not an organisation`);
  await db.query(
    `INSERT INTO notification_contacts (org_id, channel, address, secret, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (org_id, channel) DO UPDATE SET address = EXCLUDED.address, secret = EXCLUDED.secret, updated_at = EXCLUDED.updated_at`,
    [orgId, channel, stored, secret, at],
  );
  return { orgId, channel, target: shown(channel, stored), signed: secret !== null, updatedAt: at.toISOString() };
}

/** Removes a unit's contact on a channel; false when it had none. */
export async function removeContact(db: Queryable, orgId: string, channel: Channel): Promise<boolean> {
  return (await db.query('DELETE FROM notification_contacts WHERE org_id = $1 AND channel = $2 RETURNING org_id', [orgId, channel])).length > 0;
}

/** Every unit's contact, keyed `orgId channel` (a small table: units × channels). */
export async function contactAddresses(db: Queryable): Promise<Map<string, ContactAddress>> {
  const rows = await db.query<{ org_id: string; channel: Channel; address: string; secret: string | null }>('SELECT org_id, channel, address, secret FROM notification_contacts');
  return new Map(rows.map((r) => [`${r.org_id} ${r.channel}`, { address: r.address, secret: r.secret }]));
}
