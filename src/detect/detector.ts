import type { Queryable } from '../store/index.ts';
import { evaluate, ruleProblem } from './evaluate.ts';
import { activeAlarmsFor, clearAlarm, escalateAlarm, openAlarm, touchAlarm } from './repository.ts';
import type { ActiveAlarmRef } from './repository.ts';
import type { ThresholdRule, WarningLevel } from './types.ts';

export interface SensorReading {
  sensorId: string;
  indicator: string;
  ts: Date;
  value: number;
}

export interface AlarmChange {
  kind: 'open' | 'escalate' | 'clear';
  alarmId: string;
  sensorId: string;
  ruleId: string;
  level: WarningLevel;
}

/** The rules in force, indexed for the per-reading lookup. */
export class RuleBook {
  private bySensor = new Map<string, ThresholdRule[]>();
  private byIndicator = new Map<string, ThresholdRule[]>();
  private byId = new Map<string, ThresholdRule>();

  constructor(rules: ThresholdRule[]) {
    for (const rule of rules) {
      this.byId.set(rule.id, rule);
      const problem = ruleProblem(rule);
      if (problem) throw new Error(problem);
      const key = rule.sensorId ?? rule.indicator!;
      const index = rule.sensorId ? this.bySensor : this.byIndicator;
      index.set(key, [...(index.get(key) ?? []), rule]);
    }
  }

  rule(id: string): ThresholdRule | undefined {
    return this.byId.get(id);
  }

  /** A sensor's own rules replace its indicator's defaults. */
  rulesFor(sensorId: string, indicator: string): ThresholdRule[] {
    return this.bySensor.get(sensorId) ?? this.byIndicator.get(indicator) ?? [];
  }
}

/**
 * Runs the rules over new readings (in time order per sensor, none older than what the sensor
 * already reported) and writes the alarm changes in the caller's transaction.
 */
export async function detect(tx: Queryable, book: RuleBook, readings: SensorReading[]): Promise<AlarmChange[]> {
  const ruled = readings.filter((r) => book.rulesFor(r.sensorId, r.indicator).length > 0);
  if (ruled.length === 0) return [];
  const active = new Map<string, ActiveAlarmRef>();
  const key = (sensorId: string, ruleId: string) => `${sensorId}\u0000${ruleId}`;
  for (const alarm of await activeAlarmsFor(tx, [...new Set(ruled.map((r) => r.sensorId))])) {
    active.set(key(alarm.sensorId, alarm.ruleId), alarm);
  }
  const changes: AlarmChange[] = [];
  for (const reading of ruled) {
    for (const rule of book.rulesFor(reading.sensorId, reading.indicator)) {
      const k = key(reading.sensorId, rule.id);
      const current = active.get(k) ?? null;
      const decision = evaluate(rule, current?.level ?? null, reading.value);
      const base = { sensorId: reading.sensorId, ruleId: rule.id };
      if (decision.kind === 'open') {
        const id = await openAlarm(tx, rule, reading.sensorId, decision.level, reading.value, reading.ts);
        if (id === null) continue; // another writer opened it first; its own change reports it
        active.set(k, { id, ...base, level: decision.level, peakLevel: decision.level });
        changes.push({ kind: 'open', alarmId: id, ...base, level: decision.level });
      } else if (decision.kind === 'escalate' && current) {
        await escalateAlarm(tx, current.id, decision.level, reading.value, reading.ts);
        current.level = decision.level;
        changes.push({ kind: 'escalate', alarmId: current.id, ...base, level: decision.level });
      } else if (decision.kind === 'clear' && current) {
        await clearAlarm(tx, current.id, current.level, reading.value, reading.ts);
        active.delete(k);
        changes.push({ kind: 'clear', alarmId: current.id, ...base, level: current.level });
      } else if (decision.kind === 'hold' && current) {
        await touchAlarm(tx, current.id, reading.value, reading.ts);
      }
    }
  }
  return changes;
}
