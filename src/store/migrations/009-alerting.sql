-- Alerting (issue 5, items 3 and 4): acknowledgement and noise control between detection and
-- what follows it (incidents, notifications). Nothing is dropped: a muted alarm is an ordinary
-- alarm row that says why it is muted; its incident and notification wait until it is not.

-- Acknowledgement of an episode (who, when, with what comment); cleared by an escalation, which
-- must be acknowledged again. The mute in force (silence, inhibition or flapping) and its
-- reference; whether the episode opened while its (sensor, rule) pair was flapping.
ALTER TABLE alarms
  ADD COLUMN acked_at timestamptz,
  ADD COLUMN acked_by text,
  ADD COLUMN ack_comment text,
  ADD COLUMN muted_by text CHECK (muted_by IN ('silence', 'inhibition', 'flapping')),
  ADD COLUMN muted_ref text,
  ADD COLUMN muted_reason text,
  ADD COLUMN flapping boolean NOT NULL DEFAULT false;
CREATE INDEX alarms_active_muted ON alarms (muted_by) WHERE state = 'active' AND muted_by IS NOT NULL;

-- The alarm timeline also records acknowledgements and mute changes, with who and why.
ALTER TABLE alarm_events ADD COLUMN actor text, ADD COLUMN note text;
ALTER TABLE alarm_events DROP CONSTRAINT alarm_events_kind_check;
ALTER TABLE alarm_events ADD CONSTRAINT alarm_events_kind_check
  CHECK (kind IN ('open', 'escalate', 'deescalate', 'clear', 'reopen', 'ack', 'unack', 'mute', 'unmute'));
-- Flapping counts a pair's openings in a window: the pair's episodes, then their events.
CREATE INDEX alarms_pair ON alarms (sensor_id, rule_id);

-- Silences and maintenance windows: matchers (all given ones must match), a reason, the user who
-- owns it, when it starts and expires. `ended_at`: expired early by a user. `org_id`: an owner
-- unit's silence, confined to that unit's assets.
CREATE TABLE silences (
  id bigserial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('silence', 'maintenance')),
  matchers jsonb NOT NULL,
  reason text NOT NULL CHECK (length(reason) > 0),
  created_by text NOT NULL,
  org_id text REFERENCES organisations (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  ended_at timestamptz,
  ended_by text,
  CHECK (ends_at > starts_at)
);
CREATE INDEX silences_in_force ON silences (ends_at) WHERE ended_at IS NULL;
