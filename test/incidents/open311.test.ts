// Open311 GeoReport v2 as a 12345 system or a citizen's app calls it: plain fetch, form bodies,
// no account. A report lands as a `reported` incident; its status, agency_responsible and
// expected_datetime follow the workflow and the SLA; the reporter's contact never comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionIncident, type Actor } from '../../src/incidents/index.ts';
import { OPEN311_POSTS_PER_WINDOW } from '../../src/api/open311-routes.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

const operator: Actor = { userId: 'op', name: '值班员 王', orgId: 'centre', orgKind: 'operator', roles: ['centre_operator'] };

describe('Open311 GeoReport v2', () => {
  let platform: Platform;
  const data = tempDir('open311');
  let posts = 0;
  const form = async (body: Record<string, string>) => {
    posts += 1;
    const response = await fetch(`${platform.url}/open311/v2/requests.json`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString(),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown>[] };
  };
  const get = async (path: string) => {
    const response = await fetch(`${platform.url}/open311/v2/${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown>[] };
  };

  beforeAll(async () => {
    // Accounts as configured (AUTH): Open311 needs none either way.
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('open311'), simulate: false, buildWeb: false, log: false,
    });
  });
  afterAll(async () => {
    await platform?.stop();
    data.remove();
  });

  it('lists the services', async () => {
    const services = await get('services.json');
    expect(services.status).toBe(200);
    expect(services.body.map((s) => s.service_code)).toEqual(expect.arrayContaining(['gas_smell', 'water_leak', 'manhole_cover', 'waterlogging']));
    expect(services.body.find((s) => s.service_code === 'gas_smell')).toEqual({
      service_code: 'gas_smell', service_name: '燃气异味 Gas smell', description: 'Gas smell (燃气异味)', metadata: false, type: 'realtime',
      keywords: 'gas,smell,leak,燃气,异味', group: 'gas',
    });
  });

  it('takes a form-encoded report, and follows it through dispatch to closure', async () => {
    const posted = await form({
      service_code: 'gas_smell', lat: '30.3365', long: '112.2395', address_string: '荆州区 北京西路 通信井旁',
      description: '井盖附近有明显燃气味', email: 'citizen@example.cn', phone: '13800000000', first_name: '小明',
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toEqual([{ service_request_id: expect.stringMatching(/^\d+$/), service_notice: expect.any(String), account_id: null }]);
    const id = posted.body[0]!.service_request_id as string;

    let [request] = (await get(`requests/${id}.json`)).body;
    const requested = Date.parse(request!.requested_datetime as string);
    // A gas smell is a gas leak at level 2: verify 10 + accept 30 + arrive 30 (the gas-leak allowance) + dispose 480 minutes.
    expect(request).toEqual({
      service_request_id: id, status: 'open', status_notes: 'received, awaiting verification by the monitoring centre',
      service_name: '燃气异味 Gas smell', service_code: 'gas_smell', description: '井盖附近有明显燃气味', agency_responsible: null,
      service_notice: null, requested_datetime: expect.any(String), updated_datetime: expect.any(String),
      expected_datetime: new Date(requested + 550 * 60_000).toISOString(), address: '荆州区 北京西路 通信井旁', address_id: null, zipcode: null,
      lat: 30.3365, long: 112.2395, media_url: null,
    });
    expect(JSON.stringify(await get('requests.json'))).not.toMatch(/citizen@example|13800000000|小明/);
    // Inside the product it is a reported citizen incident, suggested for the nearest gas asset's owner.
    const [row] = await platform.db.query<{ state: string; kind: string; owner_id: string; asset_id: string }>(
      'SELECT state, kind, owner_id, asset_id FROM incidents WHERE id = $1', [id],
    );
    expect(row).toEqual({ state: 'reported', kind: 'citizen', owner_id: 'gas-co', asset_id: 'AS-01' });

    for (const action of ['verify', 'dispatch'] as const) {
      await platform.db.transaction((tx) => transitionIncident(tx, id, action, operator, {}, new Date()));
    }
    [request] = (await get(`requests/${id}.json`)).body;
    expect(request).toMatchObject({ status: 'open', agency_responsible: '荆州市燃气公司', status_notes: 'dispatched to the responsible unit' });
    expect(Date.parse(request!.expected_datetime as string)).toBeGreaterThan(requested);

    await platform.db.transaction((tx) => transitionIncident(tx, id, 'decline', { ...operator, roles: ['admin'] }, { reason: 'not ours' }, new Date()));
    expect((await get(`requests/${id}.json`)).body[0]).toMatchObject({ status: 'open', agency_responsible: null });
    const admin = { ...operator, roles: ['admin'] as Actor['roles'] };
    for (const [action, reason] of [['dispatch'], ['accept'], ['arrive'], ['dispose', '已关阀处置'], ['close']] as const) {
      await platform.db.transaction((tx) => transitionIncident(tx, id, action, admin, { reason }, new Date()));
    }
    expect((await get(`requests/${id}.json`)).body[0]).toMatchObject({ status: 'closed', agency_responsible: '荆州市燃气公司', expected_datetime: null });
    expect((await get('requests.json?status=closed')).body.map((r) => r.service_request_id)).toContain(id);
    expect((await get('requests.json?status=open')).body.map((r) => r.service_request_id)).not.toContain(id);
  });

  it('takes JSON too, lists by id and service, and shows a rejection\'s reason', async () => {
    const response = await fetch(`${platform.url}/open311/v2/requests.json`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service_code: 'waterlogging', address_string: '沙市区 江津路 下穿通道', description: '积水约30厘米' }),
    });
    posts += 1;
    expect(response.status).toBe(201);
    const id = ((await response.json()) as { service_request_id: string }[])[0]!.service_request_id;
    const listed = await get(`requests.json?service_request_id=${id}&service_code=waterlogging`);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).toMatchObject({ service_code: 'waterlogging', lat: null, long: null, agency_responsible: null });
    await platform.db.transaction((tx) => transitionIncident(tx, id, 'reject', operator, { reason: 'duplicate of an earlier report' }, new Date()));
    expect((await get(`requests/${id}.json`)).body[0]).toMatchObject({
      status: 'closed', status_notes: 'closed without action: duplicate of an earlier report', expected_datetime: null,
    });
  });

  it('answers bad requests in the GeoReport error format', async () => {
    let bad = await form({ lat: '30.3', long: '112.2' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual([{ code: 400, description: expect.stringContaining('service_code') }]);
    bad = await form({ service_code: 'gas_smell', description: 'nowhere' });
    expect(bad.body).toEqual([{ code: 400, description: expect.stringContaining('a location is required') }]);
    bad = await form({ service_code: 'gas_smell', lat: '91', long: '112.2' });
    expect(bad.status).toBe(400);
    bad = await form({ service_code: 'ufo', lat: '30.3', long: '112.2' });
    expect(bad.body).toEqual([{ code: 404, description: expect.stringContaining('ufo') }]);
    expect((await get('requests/12abc.json')).status).toBe(404);
    expect((await get('requests/99999999.json')).body).toEqual([{ code: 404, description: 'service request 99999999 does not exist' }]);
    expect((await get('requests.json?status=pending')).status).toBe(400);
  });

  it(`limits one address to ${OPEN311_POSTS_PER_WINDOW} reports per window`, async () => {
    // Refused reports (bad input) are not counted against the citizen; accepted ones are.
    const accepted = (await platform.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE kind = 'citizen'`))[0]!.n;
    for (let i = accepted; i < OPEN311_POSTS_PER_WINDOW; i++) {
      expect((await form({ service_code: 'manhole_cover', lat: '30.34', long: '112.24', description: `#${i}` })).status).toBe(201);
    }
    const limited = await form({ service_code: 'manhole_cover', lat: '30.34', long: '112.24' });
    expect(limited.status).toBe(429);
    expect(limited.body[0]).toMatchObject({ code: 429, description: expect.stringContaining('too many reports') });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(posts).toBeGreaterThan(OPEN311_POSTS_PER_WINDOW);
  });
});
