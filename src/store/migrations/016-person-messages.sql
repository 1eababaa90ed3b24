-- Messages to people (SMS, WeChat Work, DingTalk): one row per message and channel, written with
-- the change that causes it where webhook deliveries are (inside the ingest and offline-check
-- transactions for alarms; right after the commit, with a catch-up pass, for incidents), and sent
-- by the same leased queue worker as webhooks (src/notify/queue.ts): same back-off, same attempts,
-- then `failed` until an admin retries it.
CREATE TABLE notification_messages (
  id text PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('sms', 'wecom', 'dingtalk')),
  -- The organisation told (its duty roster or group robot is the gateway's to resolve).
  recipient text NOT NULL,
  text text NOT NULL,
  event_type text NOT NULL,
  -- What happened, once (the webhook event key): a message is written once per channel and recipient.
  event_key text NOT NULL,
  -- What the message is about. No foreign keys: the ingest transaction writes these rows beside
  -- the alarm it opened, and a log of what people were told has no reason to lock its subjects.
  incident_id bigint,
  alarm_id bigint,
  state text NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  leased_until timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL,
  finished_at timestamptz,
  UNIQUE (channel, event_key, recipient)
);
CREATE INDEX notification_messages_due ON notification_messages (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_messages_created ON notification_messages (created_at DESC);
CREATE TABLE notification_attempts (
  message_id text NOT NULL REFERENCES notification_messages (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  at timestamptz NOT NULL,
  status integer,
  error text,
  duration_ms integer NOT NULL,
  PRIMARY KEY (message_id, attempt)
);
