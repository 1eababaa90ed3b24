export * from './types.ts';
export { evaluate, levelFor, ruleProblem } from './evaluate.ts';
export type { Decision } from './evaluate.ts';
export { detect, RuleBook } from './detector.ts';
export type { AlarmChange, SensorReading } from './detector.ts';
export { getAlarms, insertRules, listAlarms, loadRules } from './repository.ts';
export { clearOfflineAlarms, DEFAULT_INTERVAL_S, MISSED_INTERVALS, OFFLINE_LEVEL, OFFLINE_RULE_ID, openOfflineAlarms } from './offline.ts';
export { DEFAULT_RULES, ensureDefaultRules } from './catalogue.ts';
