import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Queryable } from '../store/index.ts';

// Device identity. A device logs in with its id as MQTT username (HTTP: the id in the URL) and
// its secret as password (HTTP: `Authorization: Bearer <secret>`). A gateway is a principal of
// its own, allowed to report for the devices registered to it. Secrets are stored only as
// scrypt hashes; the in-memory copy keeps the hot path (every CONNECT, every HTTP batch) off
// the database.

export type PrincipalKind = 'device' | 'gateway';

export interface Principal {
  kind: PrincipalKind;
  id: string;
}

export type VerifyFailure = 'unknown_principal' | 'wrong_secret';

// Secrets are 24 random bytes generated here, so brute force is out of reach whatever the hash
// cost; scrypt still keeps a stolen table from being a list of logins. N = 2^12 costs ~5 ms
// here, so a reconnect storm of 20,000 devices after a restart costs ~100 s of one core, not
// the ~7 minutes N = 2^14 would. The parameters are stored with each hash and may be raised.
const SCRYPT = { N: 4096, r: 8, p: 1, keylen: 32 };

function scryptAsync(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const N = Number(n);
  const key = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, { N, r: Number(r), p: Number(p), maxmem: 256 * N * Number(r) });
  return timingSafeEqual(key, expected);
}

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

const digest = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/** How long a verified login skips scrypt and the database: a rotated secret stops working within this. */
const VERIFIED_TTL_MS = 5 * 60 * 1000;

export class DeviceCredentials {
  private devices = new Map<string, string>();
  private gateways = new Map<string, { hash: string; devices: Set<string> }>();
  /** SHA-256 of the secret each principal last logged in with, so reconnects skip scrypt for a while. */
  private verified = new Map<string, { digest: Buffer; at: number }>();

  constructor(private readonly db: Queryable) {}

  async load(): Promise<void> {
    const devices = await this.db.query<{ device_id: string; secret_hash: string }>('SELECT device_id, secret_hash FROM device_credentials');
    const gateways = await this.db.query<{ id: string; secret_hash: string; devices: string[] | null }>(
      `SELECT g.id, g.secret_hash, array_agg(gd.device_id) FILTER (WHERE gd.device_id IS NOT NULL) AS devices
         FROM gateways g LEFT JOIN gateway_devices gd ON gd.gateway_id = g.id GROUP BY g.id, g.secret_hash`,
    );
    this.devices = new Map(devices.map((d) => [d.device_id, d.secret_hash]));
    this.gateways = new Map(gateways.map((g) => [g.id, { hash: g.secret_hash, devices: new Set(g.devices ?? []) }]));
    this.verified.clear();
  }

  /**
   * Re-reads one principal, so secrets issued or rotated and gateway device lists changed by
   * another process (the CLI against PostgreSQL) count from the next login on.
   */
  private async refresh(id: string): Promise<void> {
    const [device] = await this.db.query<{ secret_hash: string }>('SELECT secret_hash FROM device_credentials WHERE device_id = $1', [id]);
    const [gateway] = await this.db.query<{ secret_hash: string; devices: string[] | null }>(
      `SELECT g.secret_hash, array_agg(gd.device_id) FILTER (WHERE gd.device_id IS NOT NULL) AS devices
         FROM gateways g LEFT JOIN gateway_devices gd ON gd.gateway_id = g.id WHERE g.id = $1 GROUP BY g.secret_hash`,
      [id],
    );
    if (device) this.devices.set(id, device.secret_hash);
    else this.devices.delete(id);
    if (gateway) this.gateways.set(id, { hash: gateway.secret_hash, devices: new Set(gateway.devices ?? []) });
    else this.gateways.delete(id);
  }

  principal(id: string): Principal | undefined {
    if (this.devices.has(id)) return { kind: 'device', id };
    if (this.gateways.has(id)) return { kind: 'gateway', id };
    return undefined;
  }

  mayReport(gatewayId: string, deviceId: string): boolean {
    return this.gateways.get(gatewayId)?.devices.has(deviceId) ?? false;
  }

  async verify(id: string, secret: string): Promise<Principal | VerifyFailure> {
    const presented = digest(secret);
    const known = this.verified.get(id);
    const cached = this.principal(id);
    if (cached && known && Date.now() - known.at < VERIFIED_TTL_MS && timingSafeEqual(known.digest, presented)) return cached;
    await this.refresh(id);
    const principal = this.principal(id);
    if (!principal) return 'unknown_principal';
    const hash = principal.kind === 'device' ? this.devices.get(id)! : this.gateways.get(id)!.hash;
    if (!(await verifySecret(secret, hash))) return 'wrong_secret';
    // The hash may have been replaced while scrypt ran: only cache against the current one.
    const current = principal.kind === 'device' ? this.devices.get(id) : this.gateways.get(id)?.hash;
    if (current === hash) this.verified.set(id, { digest: presented, at: Date.now() });
    return principal;
  }

  /** Sets (or replaces) a device's secret and returns it: the only time it is shown. */
  async setDeviceSecret(deviceId: string, secret = newSecret()): Promise<string> {
    if (this.gateways.has(deviceId)) throw new Error(`'${deviceId}' is a gateway: a device and a gateway cannot share an id`);
    const hash = await hashSecret(secret);
    await this.db.query(
      `INSERT INTO device_credentials (device_id, secret_hash) VALUES ($1, $2)
       ON CONFLICT (device_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, created_at = now()`,
      [deviceId, hash],
    );
    this.devices.set(deviceId, hash);
    this.verified.delete(deviceId);
    return secret;
  }

  /**
   * Registers a gateway or replaces its device list; a new gateway gets a secret, which is
   * returned (null when the gateway existed and `secret` was not given: its secret is kept).
   */
  async setGateway(gateway: { id: string; name: string; devices: string[]; secret?: string }): Promise<string | null> {
    if (this.devices.has(gateway.id)) throw new Error(`'${gateway.id}' is a device: a device and a gateway cannot share an id`);
    const existing = this.gateways.get(gateway.id);
    const secret = gateway.secret ?? (existing ? null : newSecret());
    const hash = secret === null ? existing!.hash : await hashSecret(secret);
    await this.db.query(
      `INSERT INTO gateways (id, name, secret_hash) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, secret_hash = EXCLUDED.secret_hash`,
      [gateway.id, gateway.name, hash],
    );
    await this.db.query('DELETE FROM gateway_devices WHERE gateway_id = $1', [gateway.id]);
    await this.db.query(
      'INSERT INTO gateway_devices (gateway_id, device_id) SELECT $1, d FROM unnest($2::text[]) AS d ON CONFLICT DO NOTHING',
      [gateway.id, gateway.devices],
    );
    this.gateways.set(gateway.id, { hash, devices: new Set(gateway.devices) });
    if (secret !== null) this.verified.delete(gateway.id);
    return secret;
  }

  /** Who may log in, for generating an external broker's password and ACL files. */
  principals(): { devices: string[]; gateways: { id: string; devices: string[] }[] } {
    return {
      devices: [...this.devices.keys()].sort(),
      gateways: [...this.gateways].map(([id, g]) => ({ id, devices: [...g.devices].sort() })).sort((a, b) => a.id.localeCompare(b.id)),
    };
  }
}

/** The simulator's gateway: it publishes for every demo device over one connection. */
export const DEMO_GATEWAY_ID = 'SIM-GW';

export interface MqttLogin {
  username: string;
  password: string;
}

/**
 * Gives the demo devices and the simulator's gateway credentials derived from a random secret
 * of this deployment (kept in the database, never in the repository or the log), so the
 * platform can hand them to the simulator and to tests after every restart. Principals that
 * already have credentials keep them. Returns the demo logins by principal id.
 */
export async function ensureDemoCredentials(db: Queryable, credentials: DeviceCredentials, deviceIds: string[]): Promise<Map<string, MqttLogin>> {
  await db.query(
    `INSERT INTO deployment_secrets (name, secret) VALUES ('demo-devices', $1) ON CONFLICT (name) DO NOTHING`,
    [randomBytes(32).toString('base64url')],
  );
  const derive = (await demoSecretDeriver(db))!;
  const logins = new Map<string, MqttLogin>();
  for (const id of deviceIds) {
    if (!credentials.principal(id)) await credentials.setDeviceSecret(id, derive(id));
    logins.set(id, { username: id, password: derive(id) });
  }
  const gateway = credentials.principals().gateways.find((g) => g.id === DEMO_GATEWAY_ID);
  if (!gateway || deviceIds.some((d) => !gateway.devices.includes(d))) {
    await credentials.setGateway({
      id: DEMO_GATEWAY_ID, name: 'demo city simulator', devices: [...new Set([...(gateway?.devices ?? []), ...deviceIds])],
      ...(gateway ? {} : { secret: derive(DEMO_GATEWAY_ID) }),
    });
  }
  logins.set(DEMO_GATEWAY_ID, { username: DEMO_GATEWAY_ID, password: derive(DEMO_GATEWAY_ID) });
  return logins;
}

/** The demo secret of a principal id in this deployment; null before the demo was ever set up. */
export async function demoSecretDeriver(db: Queryable): Promise<((id: string) => string) | null> {
  const [row] = await db.query<{ secret: string }>(`SELECT secret FROM deployment_secrets WHERE name = 'demo-devices'`);
  return row ? (id) => createHmac('sha256', row.secret).update(`principal:${id}`).digest('base64url') : null;
}

/** `url` with `login` in it, for MQTT clients that take their credentials from the URL. */
export function urlWithLogin(url: string, login: MqttLogin | undefined): string {
  if (!login) return url;
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(login.username);
  parsed.password = encodeURIComponent(login.password);
  return parsed.toString();
}
