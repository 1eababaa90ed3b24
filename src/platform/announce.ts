import type { EventBus } from '../bus/index.ts';
import { getAlarms, type AlarmChange, type SensorReading } from '../detect/index.ts';
import { listIncidents } from '../incidents/index.ts';
import type { Queryable } from '../store/index.ts';

/** Tells the bus what a committed transaction changed: readings, alarms and their incidents. */
export async function announceChanges(db: Queryable, bus: EventBus, fresh: SensorReading[], changes: AlarmChange[]): Promise<void> {
  if (fresh.length > 0) {
    bus.publish({ type: 'readings', readings: fresh.map((r) => ({ sensorId: r.sensorId, ts: r.ts.toISOString(), value: r.value })) });
  }
  if (changes.length === 0) return;
  const alarms = await getAlarms(db, [...new Set(changes.map((c) => c.alarmId))]);
  bus.publish({ type: 'alarms', alarms });
  const incidentIds = alarms.map((a) => a.incidentId).filter((id): id is string => id !== null);
  if (incidentIds.length > 0) bus.publish({ type: 'incidents', incidents: await listIncidents(db, { ids: incidentIds }) });
}
