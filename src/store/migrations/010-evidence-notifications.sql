-- Evidence and notifications (closed-loop issue, items 4 and 7).
-- Attachments: the file itself lives in an attachment store (DATA_DIR/evidence by default), the
-- database keeps what it is, who sent it, its SHA-256 and where and when it was taken.
CREATE TABLE incident_attachments (
  id bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  storage_key text NOT NULL UNIQUE,
  thumbnail_key text,
  file_name text,
  media_type text NOT NULL,
  size_bytes integer NOT NULL CHECK (size_bytes > 0),
  sha256 text NOT NULL,
  uploaded_by text NOT NULL,
  uploader_name text NOT NULL,
  uploader_org text,
  uploaded_at timestamptz NOT NULL,
  -- The location stamp: where the device was (WGS84), how sure it was, when the photo was taken.
  lon double precision,
  lat double precision,
  accuracy_m double precision,
  taken_at timestamptz,
  note text,
  -- The disposal transition that cited it (its audit row records the SHA-256).
  disposal_seq integer
);
CREATE INDEX incident_attachments_incident ON incident_attachments (incident_id, id);

-- Outbound webhooks: subscriptions, one row per event per subscription (the delivery), and every
-- attempt. Deliveries are claimed with a lease (FOR UPDATE SKIP LOCKED), so a restart or a
-- second process picks up what is pending without sending it twice at once.
CREATE TABLE webhook_subscriptions (
  id bigserial PRIMARY KEY,
  url text NOT NULL,
  secret text NOT NULL,
  events text[] NOT NULL,
  -- Only events of this owner unit's incidents and sensors (null: the whole city).
  owner_id text REFERENCES organisations (id),
  description text,
  active boolean NOT NULL DEFAULT true,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  subscription_id bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  event_type text NOT NULL,
  -- What happened, once: e.g. incident:17:4 (its audit row 4), alarm:9:escalate:1.
  event_key text NOT NULL,
  body text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  leased_until timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL,
  finished_at timestamptz,
  UNIQUE (subscription_id, event_key)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE TABLE webhook_attempts (
  delivery_id text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  at timestamptz NOT NULL,
  status integer,
  error text,
  duration_ms integer NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);

-- Inbound: integrations (an owner unit's own system, the 12345 platform) post incident feedback
-- signed with their key's secret. Each delivery id is accepted once per key; every attempt,
-- accepted or refused, is logged.
CREATE TABLE integration_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  secret text NOT NULL,
  -- The organisation the integration acts for; its role decides which actions it may take.
  org_id text NOT NULL REFERENCES organisations (id),
  role text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  CHECK (id ~ '^[a-z0-9][a-z0-9._-]{1,63}$')
);
CREATE TABLE inbound_deliveries (
  key_id text NOT NULL REFERENCES integration_keys (id),
  delivery_id text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (key_id, delivery_id)
);
CREATE TABLE inbound_attempts (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  key_id text,
  delivery_id text,
  status integer NOT NULL,
  outcome text NOT NULL,
  incident_id text,
  ip text
);
CREATE INDEX inbound_attempts_at ON inbound_attempts (at);
