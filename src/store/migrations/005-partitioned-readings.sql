-- Readings partitioned by month (retention drops whole partitions), and rollups for charts:
-- 1 min (maintained in the ingest transaction, partitioned like readings), 1 h and 1 day
-- (rolled up from the finer table by a background job once their bucket is complete).
ALTER TABLE readings RENAME TO readings_unpartitioned;
ALTER TABLE readings_unpartitioned RENAME CONSTRAINT readings_pkey TO readings_unpartitioned_pkey;

CREATE TABLE readings (
  sensor_id text NOT NULL,
  ts timestamptz NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (sensor_id, ts)
) PARTITION BY RANGE (ts);

CREATE TABLE readings_1m (
  sensor_id text NOT NULL,
  bucket timestamptz NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  sum double precision NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (sensor_id, bucket)
) PARTITION BY RANGE (bucket);

CREATE TABLE readings_1h (
  sensor_id text NOT NULL,
  bucket timestamptz NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  sum double precision NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (sensor_id, bucket)
);
CREATE INDEX readings_1h_bucket ON readings_1h (bucket);

CREATE TABLE readings_1d (
  sensor_id text NOT NULL,
  bucket timestamptz NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  sum double precision NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (sensor_id, bucket)
);
CREATE INDEX readings_1d_bucket ON readings_1d (bucket);

-- Coarse buckets whose finer data changed since they were last rolled up.
CREATE TABLE rollup_dirty (
  resolution text NOT NULL CHECK (resolution IN ('1h', '1d')),
  bucket timestamptz NOT NULL,
  PRIMARY KEY (resolution, bucket)
);

-- Move what the spine stored into monthly partitions, with its minute rollups and dirty hours.
DO $$
DECLARE
  month timestamptz;
BEGIN
  FOR month IN SELECT DISTINCT date_trunc('month', ts, 'UTC') FROM readings_unpartitioned LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF readings FOR VALUES FROM (%L) TO (%L)',
      'readings_p' || to_char(month AT TIME ZONE 'UTC', 'YYYY_MM'), month, month + interval '1 month');
    EXECUTE format('CREATE TABLE %I PARTITION OF readings_1m FOR VALUES FROM (%L) TO (%L)',
      'readings_1m_p' || to_char(month AT TIME ZONE 'UTC', 'YYYY_MM'), month, month + interval '1 month');
  END LOOP;
END $$;
INSERT INTO readings SELECT sensor_id, ts, value FROM readings_unpartitioned;
INSERT INTO readings_1m
  SELECT sensor_id, date_trunc('minute', ts, 'UTC'), min(value), max(value), sum(value), count(*)
    FROM readings_unpartitioned GROUP BY 1, 2;
INSERT INTO rollup_dirty SELECT DISTINCT '1h', date_trunc('hour', ts, 'UTC') FROM readings_unpartitioned;
DROP TABLE readings_unpartitioned;
