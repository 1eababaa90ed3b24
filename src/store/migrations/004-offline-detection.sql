-- Offline detection: each sensor's expected reporting interval and offline threshold (null =
-- the indicator's default), and rules of more than one kind, starting with "offline".
ALTER TABLE sensors ADD COLUMN expected_interval_s integer CHECK (expected_interval_s > 0);
ALTER TABLE sensors ADD COLUMN offline_after_s integer CHECK (offline_after_s > 0);

ALTER TABLE rules ADD COLUMN kind text NOT NULL DEFAULT 'threshold' CHECK (kind IN ('threshold', 'offline'));
ALTER TABLE rules ALTER COLUMN direction DROP NOT NULL;
ALTER TABLE rules ALTER COLUMN recovery DROP NOT NULL;
ALTER TABLE rules DROP CONSTRAINT rules_check;
ALTER TABLE rules DROP CONSTRAINT rules_check1;
ALTER TABLE rules ADD CONSTRAINT rules_threshold_complete CHECK (
  kind <> 'threshold' OR (
    (indicator IS NOT NULL OR sensor_id IS NOT NULL)
    AND coalesce(level1, level2, level3, level4) IS NOT NULL
    AND direction IS NOT NULL AND recovery IS NOT NULL
  )
);
INSERT INTO rules (id, name, kind) VALUES ('offline', '设备离线', 'offline');
