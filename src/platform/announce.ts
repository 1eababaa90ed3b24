import { alertingStates, type Routed } from '../alerting/index.ts';
import type { EventBus } from '../bus/index.ts';
import { getAlarms, type AlarmChange, type SensorReading } from '../detect/index.ts';
import { incidentIdsForAlarms, listIncidents } from '../incidents/index.ts';
import type { Queryable } from '../store/index.ts';

/**
 * Tells the bus what a committed transaction changed: readings, alarms and their incidents, and
 * (given noise control's decisions) the alarms it muted or un-muted and what to notify.
 */
export async function announceChanges(
  db: Queryable, bus: EventBus, fresh: SensorReading[], changes: AlarmChange[], routed: Routed | null = null,
): Promise<void> {
  if (fresh.length > 0) {
    bus.publish({ type: 'readings', readings: fresh.map((r) => ({ sensorId: r.sensorId, ts: r.ts.toISOString(), value: r.value })) });
  }
  const ids = [...new Set([...changes.map((c) => c.alarmId), ...(routed?.alarmIds ?? [])])];
  if (ids.length === 0) return;
  // An alarm attached to a live incident on the same asset is announced with that incident.
  const found = await getAlarms(db, ids);
  const grouped = await incidentIdsForAlarms(db, found.filter((a) => a.incidentId === null).map((a) => a.id));
  const alarms = found.map((a) => ({ ...a, incidentId: a.incidentId ?? grouped.get(a.id) ?? null }));
  const alerting = Object.fromEntries(await alertingStates(db, ids));
  bus.publish({ type: 'alarms', alarms, alerting });
  if (routed && routed.notices.length > 0) bus.publish({ type: 'notices', notices: routed.notices, alarms, alerting });
  const incidentIds = [...new Set(alarms.map((a) => a.incidentId).filter((id): id is string => id !== null))];
  if (incidentIds.length > 0) bus.publish({ type: 'incidents', incidents: await listIncidents(db, { ids: incidentIds }) });
}
