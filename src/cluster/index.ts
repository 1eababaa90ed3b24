// The cluster tier's durable ingest (docs/cluster.md, "Durable ingest on JetStream"). The live
// event bus across processes is src/bus; the timers' leader lease is src/platform/leader.ts.
export { DEFAULT_INGEST_STREAM, partitionOf, readIngestStream } from './config.ts';
export type { IngestStreamConfig } from './config.ts';
export { startJetStreamIngest } from './jetstream.ts';
export type { JetStreamIngest, JetStreamIngestOptions, JetStreamIngestStats } from './jetstream.ts';
