-- Accounts, deadlines and assessment (issue 6, items 1, 3 and 8).
--
-- 1. Login throttling in the database, so every process on one PostgreSQL shares it
--    (src/auth/rate-limit.ts): failures per account with its lock, failures per client address.
CREATE TABLE login_throttle (
  account text PRIMARY KEY,
  failures integer NOT NULL,
  locked_until timestamptz
);
CREATE TABLE login_failures (
  ip text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX login_failures_ip_at ON login_failures (ip, at);

-- 2. Incident types (src/incidents/incident-types.ts): derived at creation from the alarm's
--    indicator and rule, the asset's network, or the Open311 service code.
ALTER TABLE incidents ADD COLUMN incident_type text NOT NULL DEFAULT 'other';
-- Incidents of earlier versions: the same derivation, written once here.
UPDATE incidents i SET incident_type = CASE
    WHEN i.kind = 'citizen' THEN CASE i.service_code
      WHEN 'gas_smell' THEN 'gas_leak' WHEN 'water_leak' THEN 'water_burst' WHEN 'no_water' THEN 'water_supply'
      WHEN 'manhole_cover' THEN 'manhole_cover' WHEN 'waterlogging' THEN 'drainage_overflow' WHEN 'sewage_overflow' THEN 'drainage_overflow'
      WHEN 'road_collapse' THEN 'road_collapse' ELSE 'citizen_report' END
    WHEN a.rule_id IN ('offline', 'battery-low') OR s.indicator IN ('battery', 'signal') THEN 'sensor_fault'
    WHEN s.indicator = 'methane_lel' THEN 'gas_leak'
    WHEN s.indicator = 'gas_pressure' THEN 'gas_pressure'
    WHEN s.indicator IN ('water_pressure', 'water_flow') THEN 'water_burst'
    WHEN s.indicator IN ('drain_level', 'drain_flow', 'river_level', 'gate_opening') THEN 'drainage_overflow'
    WHEN s.indicator IN ('cod', 'nh3n', 'ph', 'tp', 'do', 'bod5') THEN 'water_quality'
    WHEN s.indicator IN ('strain', 'deflection', 'vibration') THEN 'bridge_structural'
    WHEN ast.network = 'gas' THEN 'gas_leak'
    WHEN ast.network = 'water' THEN 'water_burst'
    WHEN ast.network = 'drainage' THEN 'drainage_overflow'
    WHEN ast.network = 'bridge' THEN 'bridge_structural'
    ELSE 'other' END
  FROM incidents i2
    LEFT JOIN alarms a ON a.id = i2.alarm_id
    LEFT JOIN sensors s ON s.id = a.sensor_id
    LEFT JOIN assets ast ON ast.id = i2.asset_id
  WHERE i2.id = i.id;
CREATE INDEX incidents_type ON incidents (incident_type);

-- 3. Versioned SLA tables: each version is the whole table (minutes per level and stage, and
--    per incident type the levels/stages it overrides); an incident keeps the version it started
--    with (incidents.sla_version). Version 1 is sla_policies as it stands plus the default type rows.
CREATE TABLE sla_versions (
  version integer PRIMARY KEY,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  note text,
  policy jsonb NOT NULL
);
INSERT INTO sla_versions (version, created_at, created_by, note, policy)
SELECT 1, now(), 'migration 011', 'per level from sla_policies; type defaults of src/incidents/sla.ts',
  jsonb_build_object(
    'levels', (SELECT jsonb_object_agg(level::text, stages) FROM (
      SELECT level, jsonb_object_agg(stage, minutes) AS stages FROM sla_policies GROUP BY level) l),
    'types', '{
      "gas_leak": {"2": {"arrive": 30}, "3": {"arrive": 60, "dispose": 480}, "4": {"arrive": 120, "dispose": 1440}},
      "bridge_structural": {"1": {"dispose": 1440}, "2": {"dispose": 2880}, "3": {"dispose": 4320}, "4": {"dispose": 10080}},
      "sensor_fault": {
        "1": {"verify": 240, "accept": 480, "arrive": 1440, "dispose": 4320}, "2": {"verify": 240, "accept": 480, "arrive": 1440, "dispose": 4320},
        "3": {"verify": 240, "accept": 480, "arrive": 1440, "dispose": 4320}, "4": {"verify": 240, "accept": 480, "arrive": 1440, "dispose": 4320}}
    }'::jsonb);
ALTER TABLE incidents ADD COLUMN sla_version integer REFERENCES sla_versions (version);
UPDATE incidents SET sla_version = 1;
-- Superseded by sla_versions (version 1 holds its rows).
DROP TABLE sla_policies;
