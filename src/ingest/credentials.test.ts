import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPglite, type Db } from '../store/index.ts';
import { DeviceCredentials, hashSecret, verifySecret } from './credentials.ts';
import { mosquittoAcl, mosquittoPasswordLine } from './mosquitto.ts';

let db: Db;
beforeAll(async () => {
  db = await openPglite(null);
  await migrate(db);
});
afterAll(() => db.close());

describe('device credentials', () => {
  it('stores only a salted scrypt hash and verifies against it', async () => {
    const hash = await hashSecret('s3cret');
    expect(hash).toMatch(/^scrypt\$4096\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain('s3cret');
    expect(await hashSecret('s3cret')).not.toBe(hash);
    expect(await verifySecret('s3cret', hash)).toBe(true);
    expect(await verifySecret('s3creT', hash)).toBe(false);
  });

  it('sees secrets issued or rotated by another process at the next login', async () => {
    const server = new DeviceCredentials(db);
    await server.load();
    const cli = new DeviceCredentials(db);
    await cli.load();
    expect(await server.verify('GD-9', 'x')).toBe('unknown_principal');
    const first = await cli.setDeviceSecret('GD-9');
    expect(first).toMatch(/^[\w-]{32}$/);
    expect(await server.verify('GD-9', first)).toEqual({ kind: 'device', id: 'GD-9' });
    expect(await server.verify('GD-9', 'nope')).toBe('wrong_secret');
    const second = await cli.setDeviceSecret('GD-9');
    expect(await server.verify('GD-9', second)).toEqual({ kind: 'device', id: 'GD-9' });
    expect(await server.verify('GD-9', first)).toBe('wrong_secret');
  });

  it('keeps gateways and devices apart and knows which devices a gateway reports for', async () => {
    const credentials = new DeviceCredentials(db);
    await credentials.load();
    const secret = await credentials.setGateway({ id: 'GW-1', name: 'gw', devices: ['A', 'B'] });
    expect(await credentials.verify('GW-1', secret!)).toEqual({ kind: 'gateway', id: 'GW-1' });
    expect(credentials.mayReport('GW-1', 'A')).toBe(true);
    expect(credentials.mayReport('GW-1', 'C')).toBe(false);
    expect(await credentials.setGateway({ id: 'GW-1', name: 'gw', devices: ['C'] })).toBeNull();
    expect(credentials.mayReport('GW-1', 'A')).toBe(false);
    expect(await credentials.verify('GW-1', secret!)).toEqual({ kind: 'gateway', id: 'GW-1' });
    await expect(credentials.setDeviceSecret('GW-1')).rejects.toThrow(/is a gateway/);
    await expect(credentials.setGateway({ id: 'GD-9', name: 'x', devices: [] })).rejects.toThrow(/is a device/);
    const reloaded = new DeviceCredentials(db);
    await reloaded.load();
    expect(reloaded.principals().gateways).toEqual([{ id: 'GW-1', devices: ['C'] }]);
  });
});

describe('Mosquitto files', () => {
  it('writes password lines in mosquitto_passwd format and an ACL per gateway', () => {
    const salt = Buffer.from('2bVo7FyNvj14//Ar', 'base64');
    // The same line `mosquitto_passwd -b pw GD-1 secret` wrote with this salt.
    expect(mosquittoPasswordLine({ username: 'GD-1', password: 'secret' }, salt)).toBe(
      'GD-1:$7$101$2bVo7FyNvj14//Ar$8ngUf1Eq/NmnUnXJfDTKFJO3fbfMd4ngYFyXfUwVEy7V/2aMIUQC+ES7pZa76yDCU3mDClW/UV35JFRWkvRywA==',
    );
    const acl = mosquittoAcl('city', [{ id: 'GW-1', devices: ['A'] }], 'ingest');
    expect(acl).toContain('user ingest\ntopic read city/devices/+/up\ntopic read city/gateways/+/up');
    expect(acl).toContain('pattern write city/devices/%u/up');
    expect(acl).toContain('user GW-1\ntopic write city/devices/A/up');
  });
});
