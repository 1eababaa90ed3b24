-- Network twin: every lifeline of the brief, asset status and length, the equipment health
-- record (设备健康档案), the area hierarchy with each asset's areas, and a log of imports.
ALTER TABLE assets DROP CONSTRAINT assets_network_check;
ALTER TABLE assets ADD CONSTRAINT assets_network_check
  CHECK (network IN ('gas', 'water', 'drainage', 'heating', 'utility_tunnel', 'bridge', 'tunnel', 'river'));
ALTER TABLE assets ADD COLUMN status text NOT NULL DEFAULT 'in_service'
  CHECK (status IN ('in_service', 'planned', 'under_construction', 'out_of_service', 'abandoned'));
-- Kept beside the geometry so lengths per area and network are one SUM.
ALTER TABLE assets ADD COLUMN length_m double precision NOT NULL DEFAULT 0;
CREATE INDEX assets_network_type ON assets (network, asset_type);
CREATE INDEX assets_bbox ON assets (min_lon, max_lon, min_lat, max_lat);

CREATE TABLE asset_health (
  asset_id text PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  commissioned_on date,
  run_hours double precision CHECK (run_hours >= 0)
);
CREATE TABLE maintenance_log (
  id bigserial PRIMARY KEY,
  asset_id text NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('inspection', 'repair', 'replacement', 'calibration', 'cleaning', 'other')),
  description text NOT NULL,
  run_hours double precision
);
CREATE INDEX maintenance_log_asset ON maintenance_log (asset_id, at);

CREATE TABLE areas (
  id text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('city', 'district', 'block', 'zone')),
  parent_id text REFERENCES areas (id) ON DELETE CASCADE,
  geometry jsonb NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  min_lon double precision NOT NULL,
  min_lat double precision NOT NULL,
  max_lon double precision NOT NULL,
  max_lat double precision NOT NULL
);
CREATE INDEX areas_kind ON areas (kind);
CREATE TABLE asset_areas (
  asset_id text NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  area_id text NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
  PRIMARY KEY (asset_id, area_id)
);
CREATE INDEX asset_areas_area ON asset_areas (area_id);

CREATE TABLE network_imports (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  source text NOT NULL,
  format text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('upsert', 'replace')),
  counts jsonb NOT NULL,
  rejected integer NOT NULL,
  findings integer NOT NULL
);
