// Deadlines on a controllable clock, across a restart: a level-1 report is made, the platform
// stops before its verify deadline, the clock moves past it while nothing runs, and the platform
// started again on the same DATA_DIR escalates it — once — to the bureau supervisor, announcing
// it on the live feed.
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncidentDto, LiveMessage } from '../../src/api/index.ts';
import { startPlatform, type PlatformOptions } from '../../src/platform/index.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { getJson, postJson, waitFor } from '../support/wait.ts';

const data = tempDir('sla-restart');
afterAll(() => data.remove());

describe('SLA deadlines across a restart', () => {
  let now = new Date('2026-11-23T08:00:00Z');
  const options = {
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('sla'), simulate: false, buildWeb: false, log: false,
    clock: () => now, slaCheckMs: 50, auth: 'off',
  } as PlatformOptions;
  const minutes = (m: number) => new Date(Date.parse('2026-11-23T08:00:00Z') + m * 60_000);

  it('escalates an overdue stage once after the restart, and the next stage starts its own deadline', async () => {
    const first = await startPlatform(options);
    let id: string;
    try {
      const created = await postJson<IncidentDto>(`${first.url}/api/incidents`, {
        description: '燃气泄漏报告', assetId: 'AS-01', level: 1, as: { name: '值班员 王', role: 'centre_operator', orgId: 'centre' },
      });
      expect(created.status).toBe(201);
      id = created.body.id;
      expect(created.body).toMatchObject({ state: 'reported', dueStage: 'verify', dueAt: minutes(5).toISOString(), overdue: false });
      now = minutes(4);
      await new Promise((r) => setTimeout(r, 300)); // several checks run: not yet due
      expect((await getJson<IncidentDto>(`${first.url}/api/incidents/${id}`)).overdue).toBe(false);
    } finally {
      await first.stop();
    }

    now = minutes(6); // the deadline passes while no process runs
    const second = await startPlatform(options);
    try {
      const live = new WebSocket(`${second.url.replace(/^http/, 'ws')}/api/live`);
      const messages: LiveMessage[] = [];
      live.on('message', (m) => messages.push(JSON.parse(String(m)) as LiveMessage));
      const escalated = await waitFor('the escalation', async () => {
        const incident = await getJson<IncidentDto>(`${second.url}/api/incidents/${id}`);
        return incident.overdue ? incident : undefined;
      });
      expect(escalated).toMatchObject({ state: 'reported', escalatedAt: minutes(6).toISOString() });
      await new Promise((r) => setTimeout(r, 300)); // more checks: still one escalation
      const events = (await getJson<IncidentDto>(`${second.url}/api/incidents/${id}`)).events;
      expect(events.filter((e) => e.action === 'escalate')).toEqual([expect.objectContaining({
        actor: 'system', note: `verify deadline ${minutes(5).toISOString()} passed`,
        payload: { stage: 'verify', dueAt: minutes(5).toISOString(), escalatedTo: 'bureau_supervisor', ownerId: 'gas-co' },
      })]);
      expect((await getJson<IncidentDto[]>(`${second.url}/api/incidents?overdue=true`)).map((i) => i.id)).toEqual([id]);

      // Verify and dispatch: the accept deadline starts at the (moved) clock and is not overdue.
      now = minutes(7);
      const operator = { name: '值班员 王', role: 'centre_operator', orgId: 'centre' };
      await postJson(`${second.url}/api/incidents/${id}/transitions`, { action: 'verify', as: operator });
      const dispatched = await postJson<IncidentDto>(`${second.url}/api/incidents/${id}/transitions`, { action: 'dispatch', as: operator });
      expect(dispatched.body).toMatchObject({ state: 'dispatched', dueStage: 'accept', dueAt: minutes(22).toISOString(), overdue: false });
      expect(await getJson<IncidentDto[]>(`${second.url}/api/incidents?overdue=true`)).toEqual([]);
      now = minutes(23);
      await waitFor('the accept escalation', async () => ((await getJson<IncidentDto>(`${second.url}/api/incidents/${id}`)).overdue ? true : undefined));
      await waitFor('the live incident message', () => messages.find((m) => m.type === 'incident' && m.incident.id === id && m.incident.overdue && m.incident.dueStage === 'accept'));
      live.close();
      const final = await getJson<IncidentDto>(`${second.url}/api/incidents/${id}`);
      expect(final.events.filter((e) => e.action === 'escalate').map((e) => e.payload.stage)).toEqual(['verify', 'accept']);
    } finally {
      await second.stop();
    }
  });
});
