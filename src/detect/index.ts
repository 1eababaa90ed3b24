export * from './types.ts';
export { evaluate, levelFor, ruleProblem } from './evaluate.ts';
export type { Decision } from './evaluate.ts';
export { ANOMALY_CHECKPOINT_S, detect, loadRuleBook, RuleBook } from './detector.ts';
export type { AlarmChange, SensorReading } from './detector.ts';
export { advance, DEFAULT_DEESCALATE_S, DEFAULT_REOPEN_WITHIN_S, signal } from './engine.ts';
export type { RuleState, Step } from './engine.ts';
export { resolveAnchors } from './composite.ts';
export type { CompositeAnchor, SensorPlacement } from './composite.ts';
export {
  alarmTimeline, getAlarms, getRule, insertRules, listAlarms, listAllRules, loadRules, ruleDefinition, ruleHistory,
} from './repository.ts';
export type { AlarmEvent, RuleVersion } from './repository.ts';
export { clearOfflineAlarms, DEFAULT_INTERVAL_S, MISSED_INTERVALS, OFFLINE_LEVEL, OFFLINE_RULE_ID, openOfflineAlarms } from './offline.ts';
export { DEFAULT_RULES, ensureDefaultRules, INDICATOR_BY_ID, INDICATORS } from './catalogue.ts';
export type { IndicatorSpec, Lifeline } from './catalogue.ts';
export { changeRule, RuleChangeError } from './overrides.ts';
export type { OverrideScope, RuleChange } from './overrides.ts';
export { RuleBookWatch, rulesRevision } from './revision.ts';
