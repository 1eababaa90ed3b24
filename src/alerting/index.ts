export * from './types.ts';
export { AlarmRouter, type AlarmRouting, type AlertingOptions, type Notice, type NoticeReason, type Routed } from './router.ts';
export { acknowledgeAlarm, alarmEvents, alertingStates, type AckOutcome, type AlarmEvent } from './alarms.ts';
export { endSilence, insertSilence, listSilences, silenceInForce, silenceMatches, silencesInForce, type NewSilence } from './silences.ts';
export { DEFAULT_INHIBITIONS, isAlarmSource, isTarget, scopeOf, type InhibitionRule } from './inhibition.ts';
export { DEFAULT_FLAPPING, FLAP_OPENS, FLAP_WINDOW_MS, flappingMutes, isFlapping, type FlappingPolicy } from './flapping.ts';
export { groupAlarms, type AlarmGroup, type Groupable, type GroupBy } from './groups.ts';
