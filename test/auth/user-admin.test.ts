// The admin's account management over HTTP: list users (per organisation), create a user in an
// organisation with roles (generated password shown once), reset a password (shown once, sessions
// end), disable and enable, API tokens (shown once) and their revocation. Everyone else is refused;
// an owner unit's dispatcher reaches neither other accounts nor other units' assessment figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assessment } from '../../src/incidents/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, clientWithToken, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

interface UserDto { id: string; name: string; orgId: string | null; roles: string[]; disabled: boolean; hasPassword: boolean; password?: string }

describe('user and token administration', () => {
  const data = tempDir('user-admin');
  let platform: Platform;
  let admin: ApiClient;
  const login = (user: string, password: string) => fetch(`${platform.url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }),
  });

  beforeAll(async () => {
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('user-admin'), simulate: false, buildWeb: false, log: false, auth: 'required',
    });
    admin = await api(platform, USERS.admin);
  });
  afterAll(async () => {
    await platform?.stop();
    data.remove();
  }, 20_000);

  it('refuses every admin route to everyone but the admin, owner units included', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/auth/users'], ['GET', '/api/auth/users?org=gas-co'], ['POST', '/api/auth/users', { id: 'x-1', name: 'x', orgId: 'gas-co', roles: ['viewer'] }],
      ['POST', `/api/auth/users/${USERS.water}/password`, {}], ['PATCH', `/api/auth/users/${USERS.water}`, { disabled: true }],
      ['GET', '/api/auth/tokens'], ['POST', '/api/auth/tokens', { userId: USERS.gas, name: 'x' }], ['DELETE', '/api/auth/tokens/1'],
    ];
    for (const user of [USERS.operator, USERS.supervisor, USERS.gas]) {
      const client = await api(platform, user);
      for (const [method, path, body] of routes) {
        const answer = await client.request<{ error: string }>(method, path, body);
        expect([user, method, path, answer.status]).toEqual([user, method, path, 403]);
        expect(answer.body.error).toMatch(/needs one of the roles admin/);
      }
    }
    expect((await admin.request('GET', `/api/auth/users/${USERS.water}/password`)).status).toBe(404);
  });

  it('lists users, all or of one organisation, never with a password hash', async () => {
    const all = await admin.get<UserDto[]>('/api/auth/users');
    expect(all.map((u) => u.id)).toEqual(expect.arrayContaining(Object.values(USERS)));
    expect(JSON.stringify(all)).not.toMatch(/scrypt|password_hash/);
    const gas = await admin.get<UserDto[]>('/api/auth/users?org=gas-co');
    expect(gas.map((u) => [u.id, u.orgId, u.roles])).toEqual([[USERS.gas, 'gas-co', ['owner_dispatcher']]]);
  });

  it('creates a user in an organisation with roles, with a generated password shown once', async () => {
    const created = await admin.post<UserDto>('/api/auth/users', { id: 'gas-crew-1', name: '抢修班 张', orgId: 'gas-co', roles: ['field_crew'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'gas-crew-1', orgId: 'gas-co', roles: ['field_crew'], disabled: false, hasPassword: true });
    const password = created.body.password!;
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect((await admin.get<UserDto[]>('/api/auth/users')).find((u) => u.id === 'gas-crew-1')).not.toHaveProperty('password');
    expect((await login('gas-crew-1', password)).status).toBe(200);
    const given = await admin.post<UserDto>('/api/auth/users', { id: 'gas-viewer', name: '燃气 查看', orgId: 'gas-co', roles: ['viewer'], password: 'a chosen long password' });
    expect(given.status).toBe(201);
    expect(given.body).not.toHaveProperty('password');
    expect(await admin.post('/api/auth/users', { id: 'gas-crew-1', name: 'again', orgId: 'gas-co', roles: ['field_crew'] })).toMatchObject({ status: 409 });
    expect(await admin.post('/api/auth/users', { id: 'nobody-org', name: 'x', orgId: 'no-such', roles: ['viewer'] }))
      .toEqual({ status: 400, body: { error: "organisation 'no-such' does not exist" } });
    expect(await admin.post('/api/auth/users', { id: 'bad-role', name: 'x', orgId: 'gas-co', roles: ['king'] })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^roles\.0: /) } });
  });

  it('resets a password: the new one is shown once, the old one and the user\'s sessions stop working', async () => {
    const session = clientWithToken(platform.url, await platform.login(USERS.water));
    expect((await session.request('GET', '/api/auth/me')).status).toBe(200);
    const reset = await admin.post<{ userId: string; password: string }>(`/api/auth/users/${USERS.water}/password`, {});
    expect(reset.status).toBe(200);
    expect(reset.body.userId).toBe(USERS.water);
    expect((await session.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await login(USERS.water, reset.body.password)).status).toBe(200);
    expect(await admin.post('/api/auth/users/no-such-user/password', {})).toEqual({ status: 404, body: { error: "user 'no-such-user' does not exist" } });
  });

  it('disables and enables a user; its API tokens stop and resume; an admin cannot disable itself', async () => {
    const token = await admin.post<{ id: string; token: string; userId: string }>('/api/auth/tokens', { userId: 'gas-crew-1', name: '巡检 App' });
    expect(token.status).toBe(201);
    expect(token.body.token).toMatch(/^llt_/);
    expect(JSON.stringify(await admin.get('/api/auth/tokens'))).not.toContain(token.body.token);
    const integration = clientWithToken(platform.url, token.body.token);
    expect((await integration.request('GET', '/api/auth/me')).status).toBe(200);

    expect(await admin.request<UserDto>('PATCH', '/api/auth/users/gas-crew-1', { disabled: true })).toMatchObject({ status: 200, body: { disabled: true } });
    expect((await integration.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await login('gas-crew-1', 'whatever it was')).status).toBe(401);
    expect(await admin.request<UserDto>('PATCH', '/api/auth/users/gas-crew-1', { disabled: false })).toMatchObject({ status: 200, body: { disabled: false } });
    expect((await integration.request('GET', '/api/auth/me')).status).toBe(200);

    expect(await admin.request('DELETE', `/api/auth/tokens/${token.body.id}`)).toMatchObject({ status: 200 });
    expect((await integration.request('GET', '/api/auth/me')).status).toBe(401);
    expect(await admin.request('PATCH', `/api/auth/users/${USERS.admin}`, { disabled: true }))
      .toEqual({ status: 400, body: { error: 'disabled: an administrator cannot disable its own account' } });
    expect(await admin.request('PATCH', '/api/auth/users/gas-crew-1', { disabled: 'yes' })).toMatchObject({ status: 400 });
    expect(await admin.request('PATCH', '/api/auth/users/no-such-user', { disabled: true })).toMatchObject({ status: 404 });
  });

  it('gives an owner unit its own assessment figures only, per unit and per area', async () => {
    const operator = await api(platform, USERS.operator);
    await operator.post('/api/incidents', { description: '燃气巡查', assetId: 'AS-01', level: 3 });
    await operator.post('/api/incidents', { description: '排口巡查', assetId: 'DO-01', level: 3 });
    // Today in the deployment's zone (the platform's default, Asia/Shanghai).
    const period = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const gas = await api(platform, USERS.gas);
    const own = await gas.get<Assessment>(`/api/incidents/assessment?period=${period}`);
    expect(own.units.map((u) => u.ownerId)).toEqual(['gas-co']);
    expect(own.total.incidents).toBe(1);
    expect((await gas.request('GET', `/api/incidents/assessment?period=${period}&owner=drain-co`)).status).toBe(403);
    const city = await operator.get<Assessment>(`/api/incidents/assessment?period=${period}`);
    expect(city.units.map((u) => u.ownerId)).toEqual(['drain-co', 'gas-co']);
    expect((await operator.request<{ error: string }>('GET', '/api/incidents/assessment?period=2026-14')).body.error).toMatch(/^period: /);
    const csv = await fetch(`${platform.url}/api/incidents/assessment?period=${period}&format=csv&by=area`, { headers: operator.headers });
    expect(csv.headers.get('content-disposition')).toContain(`assessment-area-${period}.csv`);
    expect((await csv.text()).split('\r\n')[0]).toContain('areaId,areaName,areaKind');
  });
});
