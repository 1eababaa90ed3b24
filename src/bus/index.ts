import type { Logger } from 'pino';
import { InProcessBus } from './fanout.ts';
import { NatsBus } from './nats.ts';
import { PgNotifyBus } from './postgres.ts';
import type { EventBus } from './types.ts';

export type { BusOrigin, EventBus, PlatformEvent } from './types.ts';
export { InProcessBus } from './fanout.ts';
export { NatsBus, DEFAULT_NATS_SUBJECT } from './nats.ts';
export { PgNotifyBus, BUS_CHANNEL } from './postgres.ts';

/**
 * The bus of a platform process (docs/cluster.md): NATS with `natsUrl`, PostgreSQL LISTEN/NOTIFY
 * when several processes may share `databaseUrl`, in process on PGlite (one process per DATA_DIR).
 */
export async function openBus(options: { natsUrl?: string; natsSubject?: string; databaseUrl?: string; logger: Logger }): Promise<EventBus> {
  if (options.natsUrl) return NatsBus.connect({ url: options.natsUrl, subject: options.natsSubject, logger: options.logger });
  if (options.databaseUrl) return PgNotifyBus.connect({ url: options.databaseUrl, logger: options.logger });
  return new InProcessBus();
}
