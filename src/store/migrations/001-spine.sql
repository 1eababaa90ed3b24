-- Spine: organisations, assets, sensors, readings, rules, alarms, incidents, dead letters.
CREATE TABLE organisations (
  id text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('bureau', 'operator', 'owner'))
);
CREATE TABLE assets (
  id text PRIMARY KEY,
  name text NOT NULL,
  network text NOT NULL CHECK (network IN ('gas', 'water', 'drainage')),
  asset_type text NOT NULL,
  owner_id text NOT NULL REFERENCES organisations (id),
  geometry jsonb NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  min_lon double precision NOT NULL,
  min_lat double precision NOT NULL,
  max_lon double precision NOT NULL,
  max_lat double precision NOT NULL
);
CREATE INDEX assets_owner ON assets (owner_id);
CREATE TABLE devices (
  id text PRIMARY KEY,
  name text NOT NULL
);
CREATE TABLE sensors (
  id text PRIMARY KEY,
  device_id text NOT NULL REFERENCES devices (id),
  channel text NOT NULL,
  asset_id text NOT NULL REFERENCES assets (id),
  name text NOT NULL,
  indicator text NOT NULL,
  unit text NOT NULL,
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  UNIQUE (device_id, channel)
);
-- No foreign key on the hot path: ingest only writes readings of registered sensors.
CREATE TABLE readings (
  sensor_id text NOT NULL,
  ts timestamptz NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (sensor_id, ts)
);
CREATE TABLE latest_readings (
  sensor_id text PRIMARY KEY,
  ts timestamptz NOT NULL,
  value double precision NOT NULL
);
CREATE TABLE rules (
  id text PRIMARY KEY,
  name text NOT NULL,
  indicator text,
  sensor_id text REFERENCES sensors (id),
  direction text NOT NULL CHECK (direction IN ('above', 'below')),
  level1 double precision,
  level2 double precision,
  level3 double precision,
  level4 double precision,
  recovery double precision NOT NULL,
  version integer NOT NULL DEFAULT 1,
  enabled boolean NOT NULL DEFAULT true,
  CHECK (indicator IS NOT NULL OR sensor_id IS NOT NULL),
  CHECK (coalesce(level1, level2, level3, level4) IS NOT NULL)
);
CREATE TABLE alarms (
  id bigserial PRIMARY KEY,
  sensor_id text NOT NULL REFERENCES sensors (id),
  rule_id text NOT NULL REFERENCES rules (id),
  rule_version integer NOT NULL,
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
  peak_level smallint NOT NULL CHECK (peak_level BETWEEN 1 AND 4),
  state text NOT NULL CHECK (state IN ('active', 'cleared')),
  opened_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  cleared_at timestamptz,
  trigger_value double precision NOT NULL,
  last_value double precision NOT NULL
);
-- One open alarm per (sensor, rule), enforced by the database rather than by care.
CREATE UNIQUE INDEX alarms_one_active ON alarms (sensor_id, rule_id) WHERE state = 'active';
CREATE TABLE alarm_events (
  id bigserial PRIMARY KEY,
  alarm_id bigint NOT NULL REFERENCES alarms (id),
  kind text NOT NULL CHECK (kind IN ('open', 'escalate', 'clear')),
  level smallint NOT NULL,
  value double precision NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX alarm_events_alarm ON alarm_events (alarm_id);
CREATE TABLE incidents (
  id bigserial PRIMARY KEY,
  title text NOT NULL,
  state text NOT NULL CHECK (state IN ('open', 'dispatched', 'disposed', 'closed')),
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
  alarm_id bigint REFERENCES alarms (id),
  asset_id text NOT NULL REFERENCES assets (id),
  owner_id text NOT NULL REFERENCES organisations (id),
  opened_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX incidents_one_per_alarm ON incidents (alarm_id) WHERE alarm_id IS NOT NULL;
CREATE TABLE incident_events (
  id bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  action text NOT NULL,
  from_state text,
  to_state text NOT NULL,
  actor text NOT NULL,
  note text,
  at timestamptz NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (incident_id);
CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL,
  source text NOT NULL,
  device_id text,
  payload text NOT NULL,
  reason text NOT NULL
);
