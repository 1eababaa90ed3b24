import { ConfigError } from '../config/index.ts';

/** The ingest stream's shape; every process of one deployment must be configured alike (but for `consume`). */
export interface IngestStreamConfig {
  /** JetStream stream name (INGEST_STREAM_NAME). */
  stream: string;
  /** Subject prefix: partition p is `<subject>.<p>` (INGEST_SUBJECT). */
  subject: string;
  /** Partitions (INGEST_PARTITIONS): the most processes that can consume at once. */
  partitions: number;
  /**
   * Per process, unlike the rest (INGEST_CONSUME): false makes a receiving edge that stores what
   * its transports receive and commits nothing (it takes no partitions). Default true.
   */
  consume?: boolean;
}

export const DEFAULT_INGEST_STREAM: IngestStreamConfig = { stream: 'LIFELINE_INGEST', subject: 'lifeline.ingest', partitions: 16 };

/** INGEST_STREAM=jetstream switches the durable ingest path on; unset (or `direct`) keeps ingest in process. */
export function readIngestStream(env: NodeJS.ProcessEnv = process.env): IngestStreamConfig | null {
  const mode = env.INGEST_STREAM?.trim() || 'direct';
  if (mode === 'direct') return null;
  if (mode !== 'jetstream') throw new ConfigError(`INGEST_STREAM=${mode}: expected jetstream or direct`);
  const stream = env.INGEST_STREAM_NAME?.trim() || DEFAULT_INGEST_STREAM.stream;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) throw new ConfigError(`INGEST_STREAM_NAME=${stream}: letters, digits, _ and - only`);
  const subject = env.INGEST_SUBJECT?.trim() || DEFAULT_INGEST_STREAM.subject;
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(subject)) throw new ConfigError(`INGEST_SUBJECT=${subject}: dot-separated tokens of letters, digits, _ and - (no wildcards)`);
  const raw = env.INGEST_PARTITIONS?.trim() || String(DEFAULT_INGEST_STREAM.partitions);
  const partitions = Number(raw);
  if (!/^\d+$/.test(raw) || partitions < 1 || partitions > 1024) throw new ConfigError(`INGEST_PARTITIONS=${raw}: expected a whole number from 1 to 1024`);
  const consume = env.INGEST_CONSUME?.trim().toLowerCase() || 'true';
  if (consume !== 'true' && consume !== 'false') throw new ConfigError(`INGEST_CONSUME=${env.INGEST_CONSUME}: expected true or false`);
  return { stream, subject, partitions, ...(consume === 'false' ? { consume: false } : {}) };
}

/**
 * The partition of a sender (device, or gateway for a gateway's batch): FNV-1a over its id's UTF-8
 * bytes, modulo the partition count. Stable across processes, versions and restarts, so one
 * sender's uplinks always travel one partition, in order.
 */
export function partitionOf(senderId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(senderId, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
