// The incident workflow over HTTP: every action for every role (allowed and refused, with nothing
// changed on a refusal), illegal steps, manual incidents, merge, the audit chain and its
// verification finding a row tampered with in SQL. Accounts are off here, so each request names
// its role and unit in `as`; with accounts on the principal decides (test/auth/*).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryDto, AuditVerificationDto, IncidentAction, IncidentDto, IncidentState, Role, WorkflowDto } from '../../src/api/index.ts';
import { startPlatform, type Platform, type PlatformOptions } from '../../src/platform/index.ts';
import { EXPECTED_ROLES } from '../support/incident-roles.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';
import { getJson, postJson } from '../support/wait.ts';

/** Accounts off, whatever AUTH says (the option only exists once accounts do). */
const accountsOff = { auth: 'off' } as Partial<PlatformOptions>;

interface Persona { role: Role; orgId: string; name: string }
const PERSONAS: Persona[] = [
  { role: 'bureau_supervisor', orgId: 'bureau', name: '督办 赵' },
  { role: 'centre_operator', orgId: 'centre', name: '值班员 王' },
  { role: 'owner_dispatcher', orgId: 'gas-co', name: '燃气调度 钱' },
  { role: 'field_crew', orgId: 'gas-co', name: '燃气抢修 李' },
  { role: 'owner_dispatcher', orgId: 'water-co', name: '供水调度 孙' },
  { role: 'field_crew', orgId: 'water-co', name: '供水抢修 周' },
  { role: 'viewer', orgId: 'bureau', name: '只读 吴' },
  { role: 'admin', orgId: 'centre', name: '管理员' },
];
/** Who may, for the actions tried here one by one (merge has tests of its own). */
const { merge: _merge, ...MAY } = EXPECTED_ROLES;
/** An admin's way to each starting state, and where each action is tried from. */
const PATH: Record<IncidentState, IncidentAction[]> = {
  reported: [], verified: ['verify'], dispatched: ['verify', 'dispatch'], accepted: ['verify', 'dispatch', 'accept'],
  on_site: ['verify', 'dispatch', 'accept', 'arrive'], disposed: ['verify', 'dispatch', 'accept', 'arrive', 'dispose'],
  closed: ['verify', 'dispatch', 'accept', 'arrive', 'dispose', 'close'], rejected: ['reject'],
};
const FROM: Record<keyof typeof MAY, IncidentState> = {
  verify: 'reported', reject: 'verified', dispatch: 'verified', decline: 'dispatched', accept: 'dispatched', arrive: 'accepted',
  dispose: 'on_site', close: 'disposed', send_back: 'disposed', reopen: 'closed',
};
const TO: Record<keyof typeof MAY, IncidentState> = {
  verify: 'verified', reject: 'rejected', dispatch: 'dispatched', decline: 'verified', accept: 'accepted', arrive: 'on_site',
  dispose: 'disposed', close: 'closed', send_back: 'accepted', reopen: 'verified',
};
const ADMIN = { name: '管理员', role: 'admin', orgId: 'centre' };

describe('incident workflow over HTTP', () => {
  let platform: Platform;
  const data = tempDir('incidents-api');
  const url = (path: string) => `${platform.url}${path}`;
  const act = (id: string, action: string, as: object, extra: object = {}) =>
    postJson<IncidentDto & { error: string }>(url(`/api/incidents/${id}/transitions`), { action, as, reason: `${action}: reason`, ...extra });
  const create = async (extra: object = {}) => {
    const created = await postJson<IncidentDto>(url('/api/incidents'), { description: '巡查发现燃气异味', assetId: 'AS-01', level: 2, as: ADMIN, ...extra });
    expect(created.status).toBe(201);
    return created.body;
  };
  const incident = (id: string) => getJson<IncidentDto>(url(`/api/incidents/${id}`));

  beforeAll(async () => {
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('incidents'), simulate: false, buildWeb: false, log: false,
      ...accountsOff,
    });
  });
  afterAll(async () => {
    await platform?.stop();
    data.remove();
  });

  it('publishes the one transition table and the SLA minutes', async () => {
    const workflow = await getJson<WorkflowDto>(url('/api/incidents/workflow'));
    expect(workflow.states).toEqual(['reported', 'verified', 'rejected', 'dispatched', 'accepted', 'on_site', 'disposed', 'closed']);
    expect(workflow.actions.find((a) => a.action === 'decline')).toEqual({
      action: 'decline', from: ['dispatched'], to: 'verified', roles: ['owner_dispatcher'], assignedUnitOnly: true, reasonRequired: true,
    });
    expect(workflow.sla['1']).toEqual({ verify: 5, accept: 15, arrive: 30, dispose: 240 });
  });

  describe.each(Object.keys(MAY) as (keyof typeof MAY)[])('%s', (action) => {
    it.each(PERSONAS.map((p) => [`${p.role}@${p.orgId}`, p] as const))('by %s', async (_label, persona) => {
      const { id } = await create();
      for (const step of PATH[FROM[action]]) expect((await act(id, step, ADMIN)).status, `setup ${step}`).toBe(200);
      const before = await incident(id);
      expect(before.state).toBe(FROM[action]);
      const rule = MAY[action][persona.role];
      const allowed = rule === 'any' || (rule === 'unit' && persona.orgId === 'gas-co');
      const answer = await act(id, action, persona);
      if (allowed) {
        expect(answer.status, answer.body.error).toBe(200);
        expect(answer.body.state).toBe(TO[action]);
        expect(answer.body.events.at(-1)).toMatchObject({ action, actor: persona.name, actorOrg: persona.orgId, fromState: FROM[action], toState: TO[action] });
      } else {
        expect(answer.status).toBe(403);
        expect(answer.body.error).toMatch(rule === 'unit' ? /assigned owner unit \(gas-co\)/ : new RegExp(`'${action}' needs the role`));
        expect(await incident(id)).toEqual(before);
      }
    });
  });

  it('answers an illegal step 409 with the allowed ones and a missing reason 400, changing nothing', async () => {
    const { id } = await create();
    const before = await incident(id);
    const illegal = await act(id, 'close', ADMIN);
    expect(illegal.status).toBe(409);
    expect(illegal.body.error).toBe(`incident ${id} is reported: 'close' is not allowed (allowed: verify, reject)`);
    const reasonless = await postJson<{ error: string }>(url(`/api/incidents/${id}/transitions`), { action: 'reject', as: ADMIN });
    expect(reasonless.status).toBe(400);
    expect(reasonless.body.error).toBe("'reject' needs a reason");
    expect((await act(id, 'dispatch', ADMIN, { orgId: 'bureau' })).status).toBe(409);
    expect(await incident(id)).toEqual(before);
    expect((await act('98765', 'verify', ADMIN)).status).toBe(404);
  });

  it('dispatches to the suggested unit or another one, and takes the unit\'s "not ours" back for re-dispatch', async () => {
    const { id, ownerId } = await create();
    expect(ownerId).toBe('gas-co');
    await act(id, 'verify', ADMIN);
    expect((await act(id, 'dispatch', ADMIN, { orgId: 'bureau' })).body.error).toBe('bureau is not an owner unit');
    let step = await act(id, 'dispatch', ADMIN, { orgId: 'water-co' });
    expect(step.body).toMatchObject({ state: 'dispatched', ownerId: 'water-co', dueStage: 'accept' });
    expect(step.body.events.at(-1)!.payload).toMatchObject({ orgId: 'water-co', suggestedOrgId: 'gas-co' });
    step = await act(id, 'decline', { name: '供水调度 孙', role: 'owner_dispatcher', orgId: 'water-co' }, { reason: '不是我们的管线' });
    expect(step.body).toMatchObject({ state: 'verified', ownerId: 'water-co', dueStage: 'verify' });
    step = await act(id, 'dispatch', ADMIN, { orgId: 'gas-co' });
    expect(step.body).toMatchObject({ state: 'dispatched', ownerId: 'gas-co' });
  });

  it('opens manual incidents at an asset or a place, and refuses viewers and bad input', async () => {
    const atPlace = await postJson<IncidentDto>(url('/api/incidents'), {
      description: '井盖松动', location: { lon: 112.2395, lat: 30.3366 }, level: 3, as: { name: '巡查 郑', role: 'centre_operator', orgId: 'centre' },
    });
    expect(atPlace.status).toBe(201);
    expect(atPlace.body).toMatchObject({ kind: 'patrol', state: 'reported', assetId: 'AS-01', ownerId: 'gas-co', location: { lon: 112.2395, lat: 30.3366 } });
    expect(atPlace.body.events).toEqual([expect.objectContaining({ action: 'open', actor: '巡查 郑', toState: 'reported' })]);
    expect((await postJson(url('/api/incidents'), { description: 'x', as: ADMIN })).status).toBe(400);
    expect((await postJson(url('/api/incidents'), { description: 'x', assetId: 'NOPE', as: ADMIN })).status).toBe(400);
    expect((await postJson(url('/api/incidents'), { description: 'x', assetId: 'AS-01', as: { role: 'viewer' } })).status).toBe(403);
    const mine = await getJson<IncidentDto[]>(url('/api/incidents?kind=patrol&state=reported'));
    expect(mine.every((i) => i.kind === 'patrol' && i.state === 'reported')).toBe(true);
  });

  it('merges a duplicate into another incident with an audit row on both', async () => {
    const target = await create();
    const duplicate = await create({ description: '同一处燃气异味' });
    const refused = await postJson<{ error: string }>(url(`/api/incidents/${duplicate.id}/merge`), { into: target.id, as: { role: 'field_crew', orgId: 'gas-co' } });
    expect(refused.status).toBe(403);
    const merged = await postJson<IncidentDto[]>(url(`/api/incidents/${duplicate.id}/merge`), { into: target.id, as: { name: '值班员 王', role: 'centre_operator' } });
    expect(merged.status).toBe(200);
    const [d, t] = [await incident(duplicate.id), await incident(target.id)];
    expect(d).toMatchObject({ state: 'rejected', mergedInto: target.id });
    expect(d.events.at(-1)).toMatchObject({ action: 'merge', actor: '值班员 王', note: `duplicate of #${target.id}` });
    expect(t.events.at(-1)).toMatchObject({ action: 'merged_in', payload: { from: duplicate.id } });
    expect((await postJson(url(`/api/incidents/${duplicate.id}/merge`), { into: target.id, as: ADMIN })).status).toBe(409);
    expect((await postJson(url(`/api/incidents/${duplicate.id}/merge`), { into: '987654', as: ADMIN })).status).toBe(404);
  });

  it('assesses each unit: on-time disposal, closure, mean times, false alarms, as JSON and CSV', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const crew = { name: '燃气抢修 李', role: 'field_crew', orgId: 'gas-co' };
    const { id } = await create();
    for (const step of ['verify', 'dispatch'] as const) await act(id, step, ADMIN);
    for (const step of ['accept', 'arrive', 'dispose'] as const) await act(id, step, crew);
    await act(id, 'close', ADMIN);
    const assessment = await getJson<{ units: Record<string, unknown>[]; total: Record<string, unknown> }>(
      url(`/api/incidents/assessment?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
    );
    const gas = assessment.units.find((u) => u.ownerId === 'gas-co')!;
    expect(gas).toMatchObject({ ownerName: '荆州市燃气公司', onTimeDisposalRate: 1, escalations: 0 });
    expect(gas.incidents as number).toBeGreaterThan(10);
    expect(gas.closed as number).toBeGreaterThanOrEqual(1);
    expect(gas.falseAlarmRate as number).toBeGreaterThan(0);
    expect(gas.meanMinutesToDispose as number).toBeGreaterThanOrEqual(0);
    expect(assessment.total.incidents).toBe(assessment.units.reduce((s, u) => s + (u.incidents as number), 0));
    const csv = await fetch(url(`/api/incidents/assessment?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&format=csv`));
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('from,to,ownerId,ownerName,incidents,closed,closureRate,falseAlarmRate,disposed,onTimeDisposalRate,meanMinutesToVerify,meanMinutesToDispatch,meanMinutesToDispose,reopenRate,escalations');
    expect(lines.some((l) => l.includes(',gas-co,荆州市燃气公司,'))).toBe(true);
    expect(lines.at(-1)).toContain(',total,');
    expect((await fetch(url(`/api/incidents/assessment?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`))).status).toBe(400);
  });

  it('serves each incident\'s audit chain and finds a row changed behind the product\'s back', async () => {
    const { id } = await create();
    await act(id, 'verify', ADMIN);
    let audit = await getJson<{ entries: AuditEntryDto[]; verification: AuditVerificationDto }>(url(`/api/incidents/${id}/audit`));
    expect(audit.entries.map((e) => [e.seq, e.action])).toEqual([[1, 'open'], [2, 'verify']]);
    expect(audit.entries[1]!.prevHash).toBe(audit.entries[0]!.hash);
    expect(audit.verification.ok).toBe(true);
    expect((await getJson<AuditVerificationDto>(url('/api/audit/verify'))).ok).toBe(true);

    await expect(platform.db.query(`UPDATE incident_audit SET reason = 'nothing happened' WHERE incident_id = $1`, [id])).rejects.toThrow(/append-only/);
    await platform.db.exec('ALTER TABLE incident_audit DISABLE TRIGGER incident_audit_no_change');
    try {
      await platform.db.query(`UPDATE incident_audit SET at = at - interval '1 hour' WHERE incident_id = $1 AND seq = 2`, [id]);
    } finally {
      await platform.db.exec('ALTER TABLE incident_audit ENABLE TRIGGER incident_audit_no_change');
    }
    audit = await getJson(url(`/api/incidents/${id}/audit`));
    expect(audit.verification).toMatchObject({ ok: false, problems: [{ incidentId: id, seq: 2, problem: 'row content does not match its hash (edited)' }] });
    const global = await getJson<AuditVerificationDto>(url('/api/audit/verify'));
    expect(global.ok).toBe(false);
    expect(global.problems).toEqual([{ incidentId: id, seq: 2, problem: 'row content does not match its hash (edited)' }]);
  });
});
