// A whole incident as the platform publishes it, for tests that move incidents through the bus or
// the live feed; `overrides` set what a test is about.
import type { Incident } from '../../src/incidents/index.ts';

export function sampleIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: '7', kind: 'alarm', type: 'gas_leak', slaVersion: 1, title: '燃气泄漏 · 检测井 GD-001', description: null, state: 'reported', level: 2,
    alarmId: '41', alarmIds: ['41'], assetId: 'MH-12', location: { lon: 112.24, lat: 30.33 }, ownerId: 'gas-co', ownerName: '燃气公司',
    openedAt: '2026-11-23T08:00:00.000Z', updatedAt: '2026-11-23T08:00:00.000Z', dueStage: 'verify', dueAt: '2026-11-23T08:15:00.000Z',
    deadlines: { verify: '2026-11-23T08:15:00.000Z' }, overdue: false, escalatedAt: null, mergedInto: null,
    nextActions: ['verify', 'reject'], allowedActions: ['verify', 'reject'],
    events: [{ seq: 1, action: 'open', fromState: null, toState: 'reported', actor: 'system', actorId: 'system', actorOrg: null, note: null, payload: { alarmId: '41' }, at: '2026-11-23T08:00:00.000Z', hash: 'ab12' }],
    ...overrides,
  };
}
