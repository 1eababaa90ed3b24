// The workflow with accounts on: the logged-in principal acts, whatever the body claims; an owner
// unit sees and acts only on incidents assigned to it; the console's "acting as" is ignored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDto } from '../../src/api/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { clientWithToken, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

describe('incident workflow with accounts', () => {
  let platform: Platform;
  const data = tempDir('incidents-accounts');
  let operator: ApiClient, gas: ApiClient, water: ApiClient, supervisor: ApiClient;

  beforeAll(async () => {
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('inc-acc'), simulate: false, buildWeb: false, log: false,
      auth: 'required',
    });
    const client = async (user: string) => clientWithToken(platform.url, await platform.login(user));
    [operator, gas, water, supervisor] = await Promise.all([client(USERS.operator), client(USERS.gas), client(USERS.water), client(USERS.supervisor)]);
  });
  afterAll(async () => {
    await platform?.stop();
    data.remove();
  });

  it('records the principal, ignores the body\'s persona, and keeps other units out', async () => {
    const created = await operator.post<IncidentDto>('/api/incidents', { description: '巡查发现燃气味', assetId: 'AS-01', level: 2, as: { name: 'mallory', role: 'admin' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const me = await operator.get<{ name: string; userId: string }>('/api/auth/me');
    expect(created.body.events[0]).toMatchObject({ actor: me.name, actorId: me.userId, actorOrg: 'centre' });
    expect(created.body.allowedActions).toEqual(['verify', 'reject']);

    // The gas dispatcher claims to be an admin: refused as what it is.
    const claimed = await gas.post<{ error: string }>(`/api/incidents/${id}/transitions`, { action: 'verify', as: { role: 'admin' } });
    expect(claimed.status).toBe(403);
    expect(claimed.body.error).toContain("'verify' needs the role centre_operator");

    for (const action of ['verify', 'dispatch']) expect((await operator.post(`/api/incidents/${id}/transitions`, { action })).status).toBe(200);
    // The water company neither sees nor touches the gas company's incident.
    expect((await water.get<IncidentDto[]>('/api/incidents')).map((i) => i.id)).not.toContain(id);
    expect((await water.request('GET', `/api/incidents/${id}`)).status).toBe(404);
    expect((await water.post(`/api/incidents/${id}/transitions`, { action: 'accept' })).status).toBe(404);
    expect((await water.request('GET', `/api/incidents/${id}/audit`)).status).toBe(404);
    expect((await water.request('GET', '/api/audit/verify')).status).toBe(403);

    const listed = (await gas.get<IncidentDto[]>('/api/incidents')).find((i) => i.id === id)!;
    expect(listed.allowedActions).toEqual(['decline', 'accept']);
    const accepted = await gas.post<IncidentDto>(`/api/incidents/${id}/transitions`, { action: 'accept' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.events.at(-1)).toMatchObject({ action: 'accept', actorOrg: 'gas-co' });
    expect((await supervisor.post(`/api/incidents/${id}/transitions`, { action: 'arrive' })).status).toBe(403);
    expect((await supervisor.get<{ ok: boolean }>('/api/audit/verify')).ok).toBe(true);
  });
});
