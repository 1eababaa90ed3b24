import { groupAlarms } from '../alerting/index.ts';
import type { PlatformEvent } from '../bus/index.ts';
import type { AlarmNotificationDto } from './alerting-dto.ts';
import type { LiveMessage } from './dto.ts';
import { alarmDto, type ApiContext } from './routes.ts';

/** One `notification` live message per asset: the alarms of a commit worth telling someone about, grouped. */
export function notificationMessages(event: Extract<PlatformEvent, { type: 'notices' }>, ctx: Pick<ApiContext, 'sensors'>): LiveMessage[] {
  const reasons = new Map(event.notices.map((n) => [n.alarmId, n.reason]));
  const alarms = event.alarms.filter((a) => reasons.has(a.id)).map((a) => alarmDto(a, ctx.sensors, event.alerting[a.id]));
  return groupAlarms(alarms, 'asset', (a) => ({ ...a, areaId: null, muted: false })).map((g) => {
    const members = g.members;
    const notification: AlarmNotificationDto = {
      groupBy: 'asset', key: g.key, ownerId: ctx.sensors.get(members[0]!.sensorId)?.ownerId ?? null, level: g.level,
      reasons: Object.fromEntries(members.map((m) => [m.id, reasons.get(m.id)!])), alarms: members,
    };
    return { type: 'notification', notification };
  });
}
