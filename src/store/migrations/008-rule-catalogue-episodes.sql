-- Early warning (issue 5, items 1–3): rules of several kinds with scopes and a version history,
-- per-sensor detection state, and alarm episodes that de-escalate, count occurrences and re-open.

-- Rule kinds beyond threshold and offline; overrides per asset class and per asset (per sensor
-- existed); the catalogue rule an override replaces; the alarm category (sensor faults go to
-- maintenance, never to an emergency incident); kind-specific parameters as JSON.
ALTER TABLE rules DROP CONSTRAINT rules_kind_check;
ALTER TABLE rules ADD CONSTRAINT rules_kind_check
  CHECK (kind IN ('threshold', 'offline', 'rate', 'stuck', 'range', 'baseline', 'composite'));
ALTER TABLE rules
  ADD COLUMN base_id text REFERENCES rules (id),
  ADD COLUMN asset_class text,
  ADD COLUMN asset_id text REFERENCES assets (id),
  ADD COLUMN category text NOT NULL DEFAULT 'emergency' CHECK (category IN ('emergency', 'maintenance')),
  ADD COLUMN params jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN updated_at timestamptz,
  ADD COLUMN updated_by text;
ALTER TABLE rules ADD CONSTRAINT rules_levels_present CHECK (
  kind NOT IN ('threshold', 'rate', 'stuck', 'range', 'baseline', 'composite') OR (coalesce(level1, level2, level3, level4) IS NOT NULL AND direction IS NOT NULL AND recovery IS NOT NULL)
);
UPDATE rules SET category = 'maintenance' WHERE kind = 'offline';
-- One override per (catalogue rule, scope).
CREATE UNIQUE INDEX rules_one_override ON rules (base_id, coalesce(sensor_id, ''), coalesce(asset_id, ''), coalesce(asset_class, ''))
  WHERE base_id IS NOT NULL;

-- Every version a rule has had (the alarm's rule_version points into this).
CREATE TABLE rule_versions (
  rule_id text NOT NULL REFERENCES rules (id),
  version integer NOT NULL,
  definition jsonb NOT NULL,
  changed_at timestamptz NOT NULL,
  changed_by text NOT NULL,
  note text,
  PRIMARY KEY (rule_id, version)
);

-- Detection state per (sensor, rule) that outlives a batch: pending and keep-firing timers, the
-- window of a rate rule, a flat line's start, a baseline detector's checkpoint. Rows exist only
-- while there is something to remember. No foreign key: written on the hot path.
CREATE TABLE detect_state (
  sensor_id text NOT NULL,
  rule_id text NOT NULL,
  state jsonb NOT NULL,
  PRIMARY KEY (sensor_id, rule_id)
);

-- Episodes: category, the asset of composite (per-asset) alarms, how often the condition came
-- back, and de-escalation / re-opening in the timeline.
ALTER TABLE alarms
  ADD COLUMN category text NOT NULL DEFAULT 'emergency' CHECK (category IN ('emergency', 'maintenance')),
  ADD COLUMN asset_id text REFERENCES assets (id),
  ADD COLUMN occurrences integer NOT NULL DEFAULT 1;
UPDATE alarms SET category = 'maintenance' WHERE rule_id = 'offline';
-- One open composite episode per (asset, rule), whichever of the asset's sensors saw it.
CREATE UNIQUE INDEX alarms_one_active_asset ON alarms (asset_id, rule_id) WHERE state = 'active' AND asset_id IS NOT NULL;
-- The re-open policy looks up the last cleared episode of a pair.
CREATE INDEX alarms_pair_cleared ON alarms (sensor_id, rule_id, cleared_at) WHERE state = 'cleared';
ALTER TABLE alarm_events DROP CONSTRAINT alarm_events_kind_check;
ALTER TABLE alarm_events ADD CONSTRAINT alarm_events_kind_check
  CHECK (kind IN ('open', 'escalate', 'deescalate', 'clear', 'reopen'));
-- A low battery is a maintenance matter.
UPDATE rules SET category = 'maintenance' WHERE id = 'battery-low';
