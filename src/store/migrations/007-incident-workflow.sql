-- Incident workflow (closed-loop issue, items 2, 3, 5, 6): the full state set, deadlines, linking,
-- manual and citizen incidents, the hash-chained append-only audit log, SLA policies.
-- Existing rows: open → verified when the incident is level 1 (red alarms skip verification, see
-- src/incidents/workflow.ts), else reported; dispatched, disposed and closed keep their names.
-- Their old history (incident_events, no longer written) is copied into the audit chain at start
-- (src/incidents/repository.ts backfillAudit), because the hashes are computed in TypeScript.
ALTER TABLE incidents DROP CONSTRAINT incidents_state_check;
UPDATE incidents SET state = CASE WHEN level = 1 THEN 'verified' ELSE 'reported' END WHERE state = 'open';
ALTER TABLE incidents ADD CONSTRAINT incidents_state_check
  CHECK (state IN ('reported', 'verified', 'rejected', 'dispatched', 'accepted', 'on_site', 'disposed', 'closed'));
-- A citizen's report need not name an asset or an owner: the centre chooses the unit at dispatch.
ALTER TABLE incidents ALTER COLUMN asset_id DROP NOT NULL;
ALTER TABLE incidents ALTER COLUMN owner_id DROP NOT NULL;
ALTER TABLE incidents
  ADD COLUMN kind text NOT NULL DEFAULT 'alarm' CHECK (kind IN ('alarm', 'patrol', 'citizen')),
  ADD COLUMN description text,
  ADD COLUMN lon double precision,
  ADD COLUMN lat double precision,
  ADD COLUMN address text,
  ADD COLUMN service_code text,
  -- The reporter's contact details (Open311 email, phone, names): never returned by public routes.
  ADD COLUMN reporter jsonb,
  ADD COLUMN merged_into bigint REFERENCES incidents (id),
  -- The running stage's deadline, and every stage's latest deadline (stage → ISO time).
  ADD COLUMN due_stage text CHECK (due_stage IN ('verify', 'accept', 'arrive', 'dispose')),
  ADD COLUMN due_at timestamptz,
  ADD COLUMN deadlines jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Set by the overdue check when the running stage's deadline passed (escalated once per stage).
  ADD COLUMN overdue_stage text,
  ADD COLUMN escalated_at timestamptz,
  -- Head of the incident's audit chain: how many rows and the last hash (src/incidents/audit.ts).
  ADD COLUMN audit_seq integer NOT NULL DEFAULT 0,
  ADD COLUMN audit_head text;
CREATE INDEX incidents_due ON incidents (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX incidents_live_asset ON incidents (asset_id) WHERE state NOT IN ('closed', 'rejected');

-- The alarms an incident groups (several sensors, one leak). incidents.alarm_id stays the first.
CREATE TABLE incident_alarms (
  alarm_id bigint PRIMARY KEY REFERENCES alarms (id),
  incident_id bigint NOT NULL REFERENCES incidents (id),
  attached_at timestamptz NOT NULL
);
CREATE INDEX incident_alarms_incident ON incident_alarms (incident_id);
INSERT INTO incident_alarms (alarm_id, incident_id, attached_at) SELECT alarm_id, id, opened_at FROM incidents WHERE alarm_id IS NOT NULL;

CREATE TABLE incident_audit (
  incident_id bigint NOT NULL REFERENCES incidents (id),
  seq integer NOT NULL,
  action text NOT NULL,
  from_state text,
  to_state text NOT NULL,
  actor_id text NOT NULL,
  actor_name text NOT NULL,
  actor_org text,
  actor_roles text[] NOT NULL,
  reason text,
  payload jsonb NOT NULL,
  at timestamptz NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (incident_id, seq)
);
CREATE INDEX incident_audit_at ON incident_audit (at);
CREATE FUNCTION incident_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'incident_audit is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER incident_audit_no_change BEFORE UPDATE OR DELETE ON incident_audit
  FOR EACH ROW EXECUTE FUNCTION incident_audit_append_only();
CREATE TRIGGER incident_audit_no_truncate BEFORE TRUNCATE ON incident_audit
  FOR EACH STATEMENT EXECUTE FUNCTION incident_audit_append_only();

-- Deadlines in minutes per warning level and stage (src/incidents/sla.ts DEFAULT_SLA).
CREATE TABLE sla_policies (
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
  stage text NOT NULL CHECK (stage IN ('verify', 'accept', 'arrive', 'dispose')),
  minutes integer NOT NULL CHECK (minutes > 0),
  PRIMARY KEY (level, stage)
);
INSERT INTO sla_policies (level, stage, minutes) VALUES
  (1, 'verify', 5), (1, 'accept', 15), (1, 'arrive', 30), (1, 'dispose', 240),
  (2, 'verify', 10), (2, 'accept', 30), (2, 'arrive', 60), (2, 'dispose', 480),
  (3, 'verify', 30), (3, 'accept', 120), (3, 'arrive', 240), (3, 'dispose', 1440),
  (4, 'verify', 120), (4, 'accept', 480), (4, 'arrive', 1440), (4, 'dispose', 4320);
