import type { AlarmChange } from '../detect/index.ts';
import type { Queryable } from '../store/index.ts';
import { openIncident, raiseIncidentForAlarm } from './repository.ts';

export interface AlarmContext {
  title: string;
  assetId: string;
  ownerId: string;
}

/**
 * Opens an incident, assigned to the asset's owner, for each alarm that reached `incidentLevel`
 * (1 = most severe) and raises the level of incidents whose alarm escalated. `context` names the
 * alarm's asset and owner; alarms it cannot place are left without an incident.
 */
export async function openIncidentsForAlarms(
  tx: Queryable, changes: AlarmChange[], incidentLevel: number, context: (change: AlarmChange) => AlarmContext | undefined, now: Date,
): Promise<void> {
  for (const change of changes) {
    if (change.kind === 'clear' || change.level > incidentLevel) continue;
    if (await raiseIncidentForAlarm(tx, change.alarmId, change.level, now)) continue;
    const where = context(change);
    if (!where) continue;
    await openIncident(tx, { ...where, level: change.level, alarmId: change.alarmId }, now);
  }
}
