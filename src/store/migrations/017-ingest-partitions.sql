-- Durable ingest on JetStream (src/cluster, docs/cluster.md "Durable ingest on JetStream").
-- One row per partition of an ingest stream: the process consuming it (a lease its holder renews,
-- any process may take once it expired) and the stream sequence up to which the partition's
-- uplinks are committed. The position is advanced inside the readings' own transaction, and only
-- by the holder from the position it started from, so a redelivered message is recognised and
-- skipped, and a process that lost the partition cannot commit for it any more.
CREATE TABLE ingest_partitions (
  stream text NOT NULL,
  partition integer NOT NULL,
  holder text,
  expires_at timestamptz NOT NULL DEFAULT '-infinity',
  committed_seq bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (stream, partition)
);
-- The processes consuming a stream, each renewing its row: how many there are decides each one's
-- fair share of the partitions.
CREATE TABLE ingest_workers (
  stream text NOT NULL,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (stream, holder)
);
