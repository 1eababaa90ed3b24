-- Device identity and dead-letter accounting (telemetry issue, items 1, 2 and 4).
-- Secrets are stored only as scrypt hashes (`scrypt$N$r$p$salt$hash`, base64url). A device's
-- MQTT username is its id; a gateway is a principal of its own that may report for the devices
-- listed in gateway_devices. No foreign key to devices: the network model may replace devices
-- wholesale on import, and a credential of a removed device only ever fails to find sensors.
CREATE TABLE device_credentials (
  device_id text PRIMARY KEY,
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE gateways (
  id text PRIMARY KEY,
  name text NOT NULL,
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE gateway_devices (
  gateway_id text NOT NULL REFERENCES gateways (id) ON DELETE CASCADE,
  device_id text NOT NULL,
  PRIMARY KEY (gateway_id, device_id)
);
-- Per-deployment random secrets, e.g. the one the demo devices' credentials derive from.
CREATE TABLE deployment_secrets (
  name text PRIMARY KEY,
  secret text NOT NULL
);
-- Why a message was refused, as a stable code next to the human reason, so dead letters can be
-- counted per device and kind (a "sensor_fault" count is device health, not data).
ALTER TABLE dead_letters ADD COLUMN code text;
CREATE INDEX dead_letters_device ON dead_letters (device_id, id);
