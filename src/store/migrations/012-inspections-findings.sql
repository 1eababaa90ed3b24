-- Drainage inspections (CJJ 181-2012) and findings registers (drainage issue, items 1 and 2).
-- Segments, areas and finding locations are referenced by id without foreign keys on purpose:
-- a network import in replace mode may retire a pipe and an area import replaces all areas, and
-- the inspection history must outlive both. Owner ids are copied from the asset at write time,
-- so owner scoping needs no join.
CREATE TABLE inspection_campaigns (
  id text PRIMARY KEY,
  name text NOT NULL,
  method text NOT NULL CHECK (method IN ('cctv', 'qv', 'sonar', 'boat', 'drone')),
  area_id text,
  contractor text,
  -- The unit that commissioned it (null: the city).
  owner_id text REFERENCES organisations (id),
  started_on date,
  ended_on date,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One inspection of one segment (manhole to manhole) with its CJJ 181 assessment.
CREATE TABLE inspections (
  id bigserial PRIMARY KEY,
  campaign_id text NOT NULL REFERENCES inspection_campaigns (id),
  segment_id text NOT NULL,
  owner_id text NOT NULL,
  inspected_on date NOT NULL,
  method text NOT NULL CHECK (method IN ('cctv', 'qv', 'sonar', 'boat', 'drone')),
  length_m double precision NOT NULL CHECK (length_m > 0),
  diameter_mm double precision,
  region text,
  soil text,
  video_url text,
  -- The assessment (grading.ts), kept with the record so lists and maps need no recomputation.
  assessment jsonb NOT NULL,
  structural_grade smallint NOT NULL,
  functional_grade smallint NOT NULL,
  ri double precision NOT NULL,
  mi double precision NOT NULL,
  repair_grade smallint NOT NULL,
  maintenance_grade smallint NOT NULL,
  source text,
  imported_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, segment_id, inspected_on)
);
CREATE INDEX inspections_segment ON inspections (segment_id, inspected_on);
CREATE INDEX inspections_owner ON inspections (owner_id);

CREATE TABLE inspection_defects (
  id bigserial PRIMARY KEY,
  inspection_id bigint NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
  code text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('structural', 'functional')),
  grade smallint NOT NULL CHECK (grade BETWEEN 1 AND 4),
  score double precision NOT NULL,
  at_m double precision NOT NULL,
  length_m double precision NOT NULL DEFAULT 0,
  -- Clock position of the defect (时钟表示, e.g. 0309 = from 3 to 9 o'clock).
  clock text,
  remark text,
  photo_url text,
  video_url text
);
CREATE INDEX inspection_defects_inspection ON inspection_defects (inspection_id);

-- Findings registers: misconnections (混错接), river/lake water intrusion (河湖水入侵), leaks.
CREATE TABLE drainage_findings (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('misconnection', 'intrusion', 'leak')),
  subtype text NOT NULL,
  status text NOT NULL CHECK (status IN ('found', 'confirmed', 'remediating', 'remediated', 'verified', 'dismissed')),
  asset_id text,
  owner_id text NOT NULL REFERENCES organisations (id),
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  address text,
  upstream_source text,
  source_kind text,
  description text,
  campaign_id text REFERENCES inspection_campaigns (id),
  incident_id bigint REFERENCES incidents (id),
  found_on date NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Status changes: [{ from, to, action, note, actor, at }].
  history jsonb NOT NULL DEFAULT '[]'::jsonb
);
CREATE INDEX drainage_findings_kind ON drainage_findings (kind, status);
CREATE INDEX drainage_findings_owner ON drainage_findings (owner_id);
