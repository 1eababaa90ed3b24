-- Drainage programme (issue 8, items 3–6): remediation projects with progress and before/after
-- indicators, facility duty shifts and patrols with check-ins, plant influent records and
-- served population for the KPIs, waterlogging points, and the rules platform-side drainage
-- alarms belong to (missed patrol, water-class deterioration, rain class).

-- Rules of kinds other than threshold and offline. The check on rules.kind is extended rather
-- than restated, so kinds another migration added stay allowed.
DO $$
DECLARE
  def text;
BEGIN
  SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint
   WHERE conrelid = 'rules'::regclass AND conname = 'rules_kind_check';
  IF def IS NOT NULL AND position('ARRAY[' IN def) > 0 THEN
    EXECUTE 'ALTER TABLE rules DROP CONSTRAINT rules_kind_check';
    EXECUTE 'ALTER TABLE rules ADD CONSTRAINT rules_kind_check '
      || replace(def, 'ARRAY[', 'ARRAY[''missed_patrol''::text, ''water_class''::text, ''rain_class''::text, ');
  END IF;
END $$;
INSERT INTO rules (id, name, kind) VALUES
  ('missed-patrol', '巡检漏检', 'missed_patrol'),
  ('water-class', '水质类别下降', 'water_class'),
  ('rain-class', '降雨等级', 'rain_class')
ON CONFLICT (id) DO NOTHING;

CREATE TABLE area_population (
  area_id text PRIMARY KEY REFERENCES areas (id) ON DELETE CASCADE,
  served_population integer NOT NULL CHECK (served_population >= 0),
  as_of date NOT NULL
);
-- The area whose sewage a treatment plant receives (a plant's load is counted for that area and
-- every area above it).
CREATE TABLE plant_service (
  plant_id text PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  area_id text NOT NULL REFERENCES areas (id) ON DELETE CASCADE
);
CREATE TABLE plant_influent_days (
  plant_id text NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  day date NOT NULL,
  flow_m3 double precision NOT NULL CHECK (flow_m3 >= 0),
  bod5_mg_l double precision NOT NULL CHECK (bod5_mg_l >= 0),
  -- BOD5 of documented industrial discharges into the network that reach this plant (kg/d).
  industrial_bod5_kg double precision NOT NULL DEFAULT 0 CHECK (industrial_bod5_kg >= 0),
  recorded_by text NOT NULL,
  PRIMARY KEY (plant_id, day)
);

CREATE TABLE remediation_projects (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  zone_id text NOT NULL REFERENCES areas (id),
  action text NOT NULL CHECK (action IN ('end', 'middle', 'front', 'capacity', 'dredging', 'smart')),
  owner_id text NOT NULL REFERENCES organisations (id),
  budget_yuan double precision NOT NULL CHECK (budget_yuan >= 0),
  status text NOT NULL CHECK (status IN ('planned', 'in_progress', 'completed')),
  starts_on date,
  due_on date,
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  created_by text NOT NULL
);
CREATE INDEX remediation_projects_zone ON remediation_projects (zone_id);
CREATE TABLE remediation_progress (
  id bigserial PRIMARY KEY,
  project_id bigint NOT NULL REFERENCES remediation_projects (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  percent double precision NOT NULL CHECK (percent BETWEEN 0 AND 100),
  spent_yuan double precision NOT NULL DEFAULT 0 CHECK (spent_yuan >= 0),
  note text NOT NULL DEFAULT '',
  -- Links to photos (the campaign's "speak with data, locations and photos").
  photos jsonb NOT NULL DEFAULT '[]'::jsonb,
  lon double precision,
  lat double precision,
  misconnections_resolved integer NOT NULL DEFAULT 0 CHECK (misconnections_resolved >= 0),
  outfalls_remediated integer NOT NULL DEFAULT 0 CHECK (outfalls_remediated >= 0),
  -- Extraneous water (外水) this step removed from the sewers, m³/d.
  extraneous_water_m3d double precision NOT NULL DEFAULT 0 CHECK (extraneous_water_m3d >= 0),
  recorded_by text NOT NULL
);
CREATE INDEX remediation_progress_project ON remediation_progress (project_id, at);
CREATE TABLE remediation_indicators (
  project_id bigint NOT NULL REFERENCES remediation_projects (id) ON DELETE CASCADE,
  indicator text NOT NULL,
  unit text NOT NULL,
  before_value double precision NOT NULL,
  after_value double precision,
  PRIMARY KEY (project_id, indicator)
);

CREATE TABLE duty_shifts (
  id bigserial PRIMARY KEY,
  facility_id text NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  staff text NOT NULL,
  CHECK (ends_at > starts_at),
  UNIQUE (facility_id, starts_at, staff)
);
CREATE INDEX duty_shifts_time ON duty_shifts (starts_at);
CREATE TABLE patrol_schedules (
  id bigserial PRIMARY KEY,
  facility_id text NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- A patrol is due every interval from starts_at and must be checked in within the window.
  interval_minutes integer NOT NULL CHECK (interval_minutes BETWEEN 10 AND 10080),
  window_minutes integer NOT NULL CHECK (window_minutes > 0),
  starts_at timestamptz NOT NULL,
  active boolean NOT NULL DEFAULT true,
  -- The facility's patrol sensor, which missed-patrol alarms attach to.
  sensor_id text NOT NULL REFERENCES sensors (id),
  CHECK (window_minutes <= interval_minutes)
);
CREATE TABLE patrol_checkins (
  id bigserial PRIMARY KEY,
  schedule_id bigint NOT NULL REFERENCES patrol_schedules (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  by_user text NOT NULL,
  note text NOT NULL DEFAULT '',
  photo text
);
CREATE INDEX patrol_checkins_schedule ON patrol_checkins (schedule_id, at);
-- Every patrol found missed, once (the check is idempotent across restarts and processes).
CREATE TABLE patrol_misses (
  schedule_id bigint NOT NULL REFERENCES patrol_schedules (id) ON DELETE CASCADE,
  due_at timestamptz NOT NULL,
  alarm_id bigint REFERENCES alarms (id),
  found_at timestamptz NOT NULL,
  PRIMARY KEY (schedule_id, due_at)
);

CREATE TABLE waterlogging_points (
  id text PRIMARY KEY,
  name text NOT NULL,
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  gauge_sensor_id text REFERENCES sensors (id),
  rain_sensor_id text REFERENCES sensors (id),
  area_id text REFERENCES areas (id) ON DELETE SET NULL
);
