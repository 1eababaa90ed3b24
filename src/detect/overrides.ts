// Changing a rule: the catalogue rule itself (for every sensor of its indicator), or an override
// of it for one asset class, one asset or one sensor. Every change is a new version of the rule
// it writes, kept in rule_versions; alarms record the version that fired them.
import type { Queryable } from '../store/index.ts';
import { ruleProblem } from './evaluate.ts';
import { getRule, insertRules, recordRuleVersion, updateRule } from './repository.ts';
import type { Rule, WarningLevel } from './types.ts';

export type OverrideScope = 'indicator' | 'asset_class' | 'asset' | 'sensor';

/** The rule's own settings a change may set (each documented on `Rule`). */
type TunableSetting = 'recovery' | 'pendingS' | 'keepFiringS' | 'deescalateS' | 'reopenWithinS' | 'windowS' | 'tolerance' | 'min' | 'max';

export interface RuleChange extends Partial<Pick<Rule, TunableSetting>> {
  scope: OverrideScope;
  /** The asset type, asset id or sensor id the override applies to (not for `indicator`). */
  target?: string;
  /** A null level removes that level. */
  thresholds?: Partial<Record<WarningLevel, number | null>>;
  note?: string;
}

/** A change the rules refuse, with the HTTP status that fits it. */
export class RuleChangeError extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
  }
}

const overrideId = (baseId: string, scope: OverrideScope, target: string) => `${baseId}@${scope}:${target}`;

/** Applies a change as the next version of the catalogue rule or of its override for the scope; returns the rule as saved. */
export async function changeRule(tx: Queryable, baseId: string, change: RuleChange, by: string, at: Date): Promise<Rule> {
  const base = await getRule(tx, baseId);
  if (!base) throw new RuleChangeError(404, `rule ${baseId} does not exist`);
  if (base.baseId) throw new RuleChangeError(400, `rule ${baseId} is an override: change ${base.baseId} with a scope instead`);
  if (change.scope !== 'indicator' && !change.target) throw new RuleChangeError(400, `target: required for scope ${change.scope}`);
  if (change.scope === 'indicator' && change.target) throw new RuleChangeError(400, 'target: not allowed for scope indicator');
  if (base.kind === 'composite' && (change.scope === 'sensor' || change.scope === 'asset_class')) {
    throw new RuleChangeError(400, `scope: a composite rule is changed for all anchors (indicator) or one asset`);
  }
  const target = change.target ?? '';
  if (change.scope === 'sensor') {
    const [sensor] = await tx.query<{ indicator: string }>('SELECT indicator FROM sensors WHERE id = $1', [target]);
    if (!sensor) throw new RuleChangeError(404, `sensor ${target} does not exist`);
    if (base.indicator !== null && sensor.indicator !== base.indicator) {
      throw new RuleChangeError(400, `target: sensor ${target} measures ${sensor.indicator}, rule ${baseId} is for ${base.indicator}`);
    }
  } else if (change.scope === 'asset') {
    if ((await tx.query('SELECT 1 FROM assets WHERE id = $1', [target])).length === 0) throw new RuleChangeError(404, `asset ${target} does not exist`);
  } else if (change.scope === 'asset_class') {
    if ((await tx.query('SELECT 1 FROM assets WHERE asset_type = $1 LIMIT 1', [target])).length === 0) {
      throw new RuleChangeError(400, `target: no asset is of type ${target}`);
    }
  }
  const id = change.scope === 'indicator' ? base.id : overrideId(base.id, change.scope, target);
  const current = change.scope === 'indicator' ? base : await getRule(tx, id);
  const start: Rule = current ?? {
    ...base, id, baseId: base.id, version: 0,
    sensorId: change.scope === 'sensor' ? target : null,
    assetId: change.scope === 'asset' ? target : null,
    assetClass: change.scope === 'asset_class' ? target : null,
  };
  const thresholds = { ...start.thresholds };
  for (const level of [1, 2, 3, 4] as const) {
    const v = change.thresholds?.[level];
    if (v === null) delete thresholds[level];
    else if (v !== undefined) thresholds[level] = v;
  }
  const next: Rule = { ...start, thresholds, version: start.version + 1 };
  for (const key of ['recovery', 'pendingS', 'keepFiringS', 'deescalateS', 'reopenWithinS', 'windowS', 'tolerance', 'min', 'max'] as const) {
    if (change[key] !== undefined) next[key] = change[key];
  }
  const problem = ruleProblem(next);
  if (problem) throw new RuleChangeError(400, problem);
  if (current) await updateRule(tx, next, by, at);
  else await insertRules(tx, [next]);
  await recordRuleVersion(tx, next, by, change.note ?? null, at);
  return next;
}
