import type { WarningLevel } from '../detect/index.ts';

export type GroupBy = 'asset' | 'area' | 'network';

/** What grouping needs to know of an alarm. */
export interface Groupable {
  level: WarningLevel;
  assetId: string;
  network: string;
  /** The area the grouping by area uses (e.g. the district); null when the asset lies in none. */
  areaId: string | null;
  muted: boolean;
}

export interface AlarmGroup<T> {
  by: GroupBy;
  key: string;
  /** The most severe level among the group's unmuted members (among all when every one is muted). */
  level: WarningLevel;
  muted: number;
  members: T[];
}

/**
 * Groups alarms by asset, area or network, most severe group first, then the larger; members
 * keep their order. Alarms outside any area form the group `none`.
 */
export function groupAlarms<T>(alarms: T[], by: GroupBy, describe: (alarm: T) => Groupable): AlarmGroup<T>[] {
  const groups = new Map<string, { alarm: T; facts: Groupable }[]>();
  for (const alarm of alarms) {
    const facts = describe(alarm);
    const key = by === 'asset' ? facts.assetId : by === 'network' ? facts.network : facts.areaId ?? 'none';
    groups.set(key, [...(groups.get(key) ?? []), { alarm, facts }]);
  }
  return [...groups].map(([key, members]) => {
    const loud = members.filter((m) => !m.facts.muted);
    const level = Math.min(...(loud.length > 0 ? loud : members).map((m) => m.facts.level)) as WarningLevel;
    return { by, key, level, muted: members.length - loud.length, members: members.map((m) => m.alarm) };
  }).sort((a, b) => a.level - b.level || b.members.length - a.members.length || a.key.localeCompare(b.key));
}
