-- Leader election for the platform's timers (src/platform/leader.ts): one row per lease; the
-- holder renews it every few seconds, another process takes it over once it has expired.
CREATE TABLE IF NOT EXISTS leader_lease (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
