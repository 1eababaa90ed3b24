// The access gate over the whole running platform: every registered route is either in the
// explicit public allow-list or refuses a caller without a session (401); an owner unit's user
// sees only its own organisation's assets, sensors, alarms, incidents and live messages, and
// another unit's incident answers 404 (not 403: its existence does not leak).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { AlarmDto, AssetCollection, IncidentDto, LiveMessage, SensorDto } from '../../src/api/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, clientWithToken, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Routes callable without a login, each with why. A new public route must be added here
 * deliberately; anything else that does not refuse an anonymous caller fails this test.
 */
const PUBLIC_ROUTES: Record<string, string> = {
  'GET /api/health': 'liveness probe for load balancers and monitoring',
  'POST /api/auth/login': 'how a session is obtained',
  'POST /api/ingest/devices/:id': 'devices authenticate with their own secret (DEVICE_AUTH)',
  'POST /api/ingest/gateways/:id': 'gateways authenticate with their own secret (DEVICE_AUTH)',
  'GET /api/*': 'answers 404 "no API route" and nothing else',
  'GET /*': 'the web app\'s static files (its data comes from gated routes)',
  'GET /open311/v2/services.json': 'Open311 GeoReport v2: the service list is public',
  'GET /open311/v2/requests.json': 'Open311 GeoReport v2: citizens follow their reports',
  'GET /open311/v2/requests/:file': 'Open311 GeoReport v2: one request',
  'POST /open311/v2/requests.json': 'Open311 GeoReport v2: 12345 apps file citizen reports (the incidents module checks them)',
  'POST /api/integrations/:keyId/feedback': 'integrations sign each delivery (HMAC, timestamp, delivery id; src/notify/inbound.ts)',
};

/** A concrete URL for a route pattern: parameters and wildcards filled with harmless values. */
const concrete = (url: string) => url.replace(/:(\w+)(\.\w+)?/g, (_m, _name: string, ext?: string) => `x1${ext ?? ''}`).replace(/\*/g, 'x');

describe('the access gate', () => {
  const data = tempDir('gate');
  let platform: Platform;
  let operator: ApiClient;
  let gas: ApiClient;

  beforeAll(async () => {
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('gate'), simulate: false, buildWeb: false, log: false, auth: 'required',
    });
    operator = await api(platform, USERS.operator);
    gas = await api(platform, USERS.gas);
  });
  afterAll(async () => {
    await platform?.stop();
    data.remove();
  }, 20_000);

  it('refuses every non-public route without a session (401), and every public route is in the allow-list', async () => {
    const routes = platform.routes.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
    expect(routes.length).toBeGreaterThan(30);
    const publicOnes = routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
    expect(publicOnes.filter((r) => !(r in PUBLIC_ROUTES)), 'public routes missing from the allow-list').toEqual([]);
    const gated = routes.filter((r) => r.access !== 'public');
    const answers = await Promise.all(gated.map(async (r) => {
      const url = `${platform.url}${concrete(r.url)}`;
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? '{}' : undefined;
      const headers = body ? { 'content-type': 'application/json' } : undefined;
      const anonymous = await fetch(url, { method: r.method, headers, body });
      const forged = await fetch(url, { method: r.method, headers: { ...headers, authorization: 'Bearer lls_not-a-session' }, body });
      return { route: `${r.method} ${r.url}`, anonymous: anonymous.status, forged: forged.status, error: ((await anonymous.json()) as { error?: string }).error };
    }));
    for (const a of answers) {
      expect(a, a.route).toMatchObject({ anonymous: 401, forged: 401 });
      expect(a.error, a.route).toMatch(/not logged in/);
    }
    // The live feed too: no upgrade without a session.
    const socket = clientWithToken(platform.url, 'lls_forged').ws();
    const refused = await new Promise<number>((resolve) => socket.once('unexpected-response', (req, res) => { req.destroy(); resolve(res.statusCode ?? 0); }).once('open', () => resolve(101)));
    expect(refused).toBe(401);
  });

  it('answers the public routes without a session', async () => {
    expect((await fetch(`${platform.url}/api/health`)).status).toBe(200);
    expect((await fetch(`${platform.url}/api/no-such-route`)).status).toBe(404);
  });

  it('tells who is logged in, and role-only routes refuse other roles with 403', async () => {
    // An owner unit's networks are those it owns assets on (its pages follow them); the centre works on all.
    expect(await gas.get('/api/auth/me')).toMatchObject({ userId: USERS.gas, orgId: 'gas-co', orgKind: 'owner', roles: ['owner_dispatcher'], via: 'session', networks: ['gas'] });
    const drainage = await (await api(platform, USERS.drainage)).get<{ networks: string[] }>('/api/auth/me');
    expect(drainage.networks).toContain('drainage');
    expect(drainage.networks).not.toContain('gas');
    expect(await operator.get('/api/auth/me')).toMatchObject({ orgKind: 'operator', networks: null });
    const refused = await gas.request<{ error: string }>('GET', '/api/auth/tokens');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/needs one of the roles admin/);
    // Account administration is the admin's; the SLA table is changed by the admin or the bureau.
    for (const [method, path] of [['POST', `/api/auth/users/${USERS.water}/password`], ['PATCH', `/api/auth/users/${USERS.water}`], ['PUT', '/api/incidents/sla']] as const) {
      expect([method, path, (await gas.request(method, path, {})).status]).toEqual([method, path, 403]);
      expect([method, path, (await operator.request(method, path, {})).status]).toEqual([method, path, 403]);
    }
  });

  it('confines an owner unit to its own assets, sensors, alarms and incidents; another unit\'s incident is 404', async () => {
    const device = async (id: string, values: Record<string, number>) => {
      const response = await fetch(`${platform.url}/api/ingest/devices/${id}`, {
        method: 'POST', headers: { authorization: `Bearer ${platform.deviceCredentials(id)!.password}`, 'content-type': 'application/json' },
        body: JSON.stringify({ values }),
      });
      expect(response.status).toBe(200);
    };
    const socket = gas.ws();
    const live: LiveMessage[] = [];
    socket.on('message', (raw) => live.push(JSON.parse(raw.toString()) as LiveMessage));
    await new Promise((resolve, reject) => (socket as WebSocket).once('open', resolve).once('error', reject));
    const centreSocket = operator.ws();
    const centreLive: LiveMessage[] = [];
    centreSocket.on('message', (raw) => centreLive.push(JSON.parse(raw.toString()) as LiveMessage));
    await new Promise((resolve, reject) => centreSocket.once('open', resolve).once('error', reject));
    try {
      await device('WP-001', { p: 0.05 }); // water pressure, level 1: the water company's alarm and incident
      await device('GD-002', { lel: 40 }); // gas in a power manhole, level 2: the gas company's

      const all = await waitFor('both incidents', async () => {
        const list = await operator.get<IncidentDto[]>('/api/incidents');
        return list.some((i) => i.ownerId === 'water-co') && list.some((i) => i.ownerId === 'gas-co') ? list : undefined;
      });
      const waterIncident = all.find((i) => i.ownerId === 'water-co')!;

      const assets = await gas.get<AssetCollection>('/api/assets');
      const allAssets = await operator.get<AssetCollection>('/api/assets');
      expect(assets.features.length).toBeGreaterThan(0);
      expect(assets.features.length).toBeLessThan(allAssets.features.length);
      expect(new Set(assets.features.map((f) => f.properties.ownerId))).toEqual(new Set(['gas-co']));
      const own = new Set(assets.features.map((f) => f.id));

      const sensors = await gas.get<SensorDto[]>('/api/sensors');
      expect(sensors.length).toBeGreaterThan(0);
      expect(sensors.every((s) => own.has(s.assetId) && s.network === 'gas')).toBe(true);
      expect((await operator.get<SensorDto[]>('/api/sensors')).length).toBeGreaterThan(sensors.length);

      const alarms = await gas.get<AlarmDto[]>('/api/alarms');
      expect(alarms.map((a) => a.sensorId)).toEqual(['GD-002.lel']);
      expect((await operator.get<AlarmDto[]>('/api/alarms')).map((a) => a.sensorId).sort()).toEqual(['GD-002.lel', 'WP-001.p']);

      const incidents = await gas.get<IncidentDto[]>('/api/incidents');
      expect(incidents.length).toBeGreaterThan(0);
      expect(incidents.every((i) => i.ownerId === 'gas-co')).toBe(true);

      // Another unit's things answer exactly as missing ones do.
      for (const path of ['/api/sensors/WP-001.p/readings', '/api/sensors/WP-001.p/rules', '/api/network/assets/WN02', '/api/ingest/devices/WP-001/stats']) {
        const answer = await gas.request<{ error: string }>('GET', path);
        expect(answer.status, path).toBe(404);
      }
      const act = await gas.post<{ error: string }>(`/api/incidents/${waterIncident.id}/transitions`, { action: 'dispatch', note: 'not ours to touch' });
      expect(act.status).toBe(404);
      expect(act.body.error).toBe(`incident ${waterIncident.id} does not exist`);
      const missing = await gas.post<{ error: string }>('/api/incidents/999999/transitions', { action: 'dispatch' });
      expect(missing.status).toBe(404);
      // Nothing changed on the water company's incident.
      const after = (await operator.get<IncidentDto[]>('/api/incidents')).find((i) => i.id === waterIncident.id)!;
      expect(after.state).toBe(waterIncident.state);
      expect(after.events).toHaveLength(waterIncident.events.length);

      // The live feed: the centre gets both alarms, the gas company only its own.
      await waitFor('the centre to see both alarms', () => {
        const ids = centreLive.flatMap((m) => (m.type === 'alarm' ? [m.alarm.sensorId] : []));
        return ids.includes('WP-001.p') && ids.includes('GD-002.lel') ? true : undefined;
      });
      await waitFor('readings on the centre feed', () => (centreLive.some((m) => m.type === 'readings') ? true : undefined));
      await new Promise((r) => setTimeout(r, 1200)); // one more readings flush
      expect(live.filter((m) => m.type === 'alarm').map((m) => (m.type === 'alarm' ? m.alarm.sensorId : ''))).toEqual(['GD-002.lel']);
      expect(live.filter((m) => m.type === 'incident').every((m) => m.type === 'incident' && m.incident.ownerId === 'gas-co')).toBe(true);
      const liveReadings = live.flatMap((m) => (m.type === 'readings' ? m.readings : []));
      expect(liveReadings.map((r) => r.sensorId)).toEqual(['GD-002.lel']);
    } finally {
      socket.close();
      centreSocket.close();
    }
  });

  it('scopes dead letters to the owner unit\'s devices', async () => {
    const post = (id: string, body: string) => fetch(`${platform.url}/api/ingest/devices/${id}`, {
      method: 'POST', headers: { authorization: `Bearer ${platform.deviceCredentials(id)!.password}`, 'content-type': 'application/json' }, body,
    });
    await post('WP-002', '{"values":{"nope":1}}');
    await post('GD-001', '{"values":{"nope":1}}');
    const mine = await gas.get<{ deviceId: string | null }[]>('/api/dead-letters');
    expect(mine.map((d) => d.deviceId)).toEqual(['GD-001']);
    expect(await gas.get('/api/dead-letters?deviceId=WP-002')).toEqual([]);
    const everything = await operator.get<{ deviceId: string | null }[]>('/api/dead-letters');
    expect(everything.map((d) => d.deviceId).sort()).toEqual(['GD-001', 'WP-002']);
  });

  it('logs in with a password, refuses a wrong one with one reason for both cases, and logs out', async () => {
    await platform.auth!.setPassword(USERS.supervisor, 'correct horse battery');
    const login = (user: string, password: string) => fetch(`${platform.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.1' }, body: JSON.stringify({ user, password }),
    });
    const wrong = await login(USERS.supervisor, 'wrong password');
    const unknown = await login('nobody-here', 'wrong password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual(await unknown.json());
    const ok = await login(USERS.supervisor, 'correct horse battery');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/^lifeline_session=lls_[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const { token } = (await ok.json()) as { token: string };
    // The cookie works as well as the bearer header (the web app and its WebSocket use the cookie).
    const me = await fetch(`${platform.url}/api/auth/me`, { headers: { cookie: `lifeline_session=${token}` } });
    expect(await me.json()).toMatchObject({ userId: USERS.supervisor, roles: ['bureau_supervisor'], orgKind: 'bureau' });
    const client = clientWithToken(platform.url, token);
    expect((await client.post('/api/auth/logout', {})).status).toBe(200);
    const after = await client.request<{ error: string }>('GET', '/api/sensors');
    expect(after).toEqual({ status: 401, body: { error: 'session unknown or ended: log in again' } });
  });

  it('lets a user change its own password, checking the current one', async () => {
    await platform.auth!.setPassword(USERS.water, 'first water password');
    const water = await api(platform, USERS.water);
    expect(await water.post('/api/auth/password', { current: 'not it at all', password: 'second water password' })).toEqual({ status: 403, body: { error: 'current password: wrong' } });
    expect(await water.post('/api/auth/password', { current: 'first water password', password: 'short' })).toEqual({ status: 400, body: { error: 'password: at least 10 characters' } });
    expect((await water.post('/api/auth/password', { current: 'first water password', password: 'second water password' })).status).toBe(200);
    expect((await water.request('GET', '/api/sensors')).status).toBe(401);
    await expect(platform.auth!.login(USERS.water, 'second water password', '10.2.2.2')).resolves.toMatchObject({ user: { id: USERS.water } });
  });

  it('throttles repeated failed logins with 429, Retry-After and the reason', async () => {
    const attempt = (password: string) => fetch(`${platform.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: USERS.drainage, password }),
    });
    for (let i = 0; i < 5; i++) expect((await attempt(`guess number ${i}`)).status).toBe(401);
    const throttled = await attempt('even the right one is not checked now');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('30');
    expect(await throttled.json()).toEqual({ error: `too many failed logins for '${USERS.drainage}': try again in 30 s` });
    const malformed = await fetch(`${platform.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":""}' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^user: .*; password: /);
  });

  it('issues API tokens for integrations (admin only) and refuses them once revoked', async () => {
    const admin = await api(platform, USERS.admin);
    const created = await admin.post<{ id: string; token: string }>('/api/auth/tokens', { userId: USERS.water, name: 'water SCADA bridge' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^llt_/);
    const integration = clientWithToken(platform.url, created.body.token);
    expect(await integration.get('/api/auth/me')).toMatchObject({ userId: USERS.water, via: 'token' });
    // The token acts as its user: the water company's scope.
    expect(new Set((await integration.get<SensorDto[]>('/api/sensors')).map((s) => s.network))).toEqual(new Set(['water']));
    const listed = await admin.get<{ id: string; lastUsedAt: string | null; revokedAt: string | null }[]>('/api/auth/tokens');
    expect(listed.find((t) => t.id === created.body.id)).toMatchObject({ revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(created.body.token);
    expect((await admin.request('DELETE', `/api/auth/tokens/${created.body.id}`)).status).toBe(200);
    expect((await admin.request<{ error: string }>('DELETE', `/api/auth/tokens/${created.body.id}`)).status).toBe(409);
    expect(await integration.request('GET', '/api/sensors')).toEqual({ status: 401, body: { error: 'this API token has been revoked' } });
  });

  it('refuses a cookie-borne change or live socket from another site\'s page', async () => {
    const token = await platform.login(USERS.operator);
    const cookie = { cookie: `lifeline_session=${token}`, 'content-type': 'application/json' };
    const [incident] = await operator.get<IncidentDto[]>('/api/incidents');
    const forged = await fetch(`${platform.url}/api/incidents/${incident!.id}/transitions`, {
      method: 'POST', headers: { ...cookie, origin: 'https://evil.example' }, body: JSON.stringify({ action: 'reject', reason: 'csrf' }),
    });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({ error: 'cross-site request refused: origin https://evil.example is not this server' });
    // Reading with the cookie from anywhere is harmless (the browser keeps the answer from the other site), and the own origin may change things.
    expect((await fetch(`${platform.url}/api/auth/me`, { headers: { ...cookie, origin: 'https://evil.example' } })).status).toBe(200);
    expect((await fetch(`${platform.url}/api/auth/logout`, { method: 'POST', headers: { ...cookie, origin: platform.url }, body: '{}' })).status).toBe(200);
    const ws = new (await import('ws')).default(`${platform.url.replace('http', 'ws')}/api/live`, { headers: { cookie: `lifeline_session=${await platform.login(USERS.operator)}`, origin: 'https://evil.example' } });
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (req, res) => { req.destroy(); resolve(res.statusCode ?? 0); }).once('open', () => resolve(101)));
    expect(status).toBe(403);
  });

  it('lets a viewer read but not act', async () => {
    await platform.auth!.addUser({ id: 'gas-viewer', name: '燃气公司 只读', orgId: 'gas-co', roles: ['viewer'] });
    const viewer = await api(platform, 'gas-viewer');
    expect(new Set((await viewer.get<SensorDto[]>('/api/sensors')).map((s) => s.network))).toEqual(new Set(['gas']));
    const [incident] = await viewer.get<IncidentDto[]>('/api/incidents');
    const act = await viewer.post<{ error: string }>(`/api/incidents/${incident!.id}/transitions`, { action: 'accept' });
    expect(act).toEqual({ status: 403, body: { error: 'read-only account: a viewer cannot POST /api/incidents/:id/transitions' } });
    expect((await viewer.post('/api/auth/logout', {})).status).toBe(200);
  });

  it('closes a live socket whose session has ended', async () => {
    const session = await api(platform, USERS.gas);
    const other = await api(platform, USERS.gas);
    const ended = session.ws();
    const kept = other.ws();
    await Promise.all([ended, kept].map((s) => new Promise((resolve, reject) => s.once('open', resolve).once('error', reject))));
    const closed = new Promise<number>((resolve) => ended.once('close', (code) => resolve(code)));
    expect((await session.post('/api/auth/logout', {})).status).toBe(200);
    await platform.recheckLiveLogins();
    expect(await closed).toBe(4401);
    expect(kept.readyState).toBe(kept.OPEN);
    kept.close();
  });

  it('stores only hashes of passwords, sessions and API tokens', async () => {
    const rows = await platform.db.query<{ password_hash: string }>('SELECT password_hash FROM users');
    expect(rows.length).toBe(7); // admin, the bureau, the centre, three owner units, and the viewer added above
    for (const r of rows.filter((u) => u.password_hash !== null)) expect(r.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(JSON.stringify(await platform.db.query('SELECT * FROM users'))).not.toContain('correct horse battery');
    const sessions = await platform.db.query<{ token_hash: string }>('SELECT token_hash FROM sessions');
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => /^[0-9a-f]{64}$/.test(s.token_hash))).toBe(true);
    expect(sessions.some((s) => s.token_hash.includes(operator.token))).toBe(false);
  });
});
