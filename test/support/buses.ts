// The EventBus implementations every bus suite runs against: in process, NATS (a subject of the
// test's own on the server at TEST_NATS_URL) and PostgreSQL LISTEN/NOTIFY (a database of the
// test's own). A missing service skips, or fails under CI (services.ts).
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { InProcessBus, NatsBus, PgNotifyBus, type EventBus } from '../../src/bus/index.ts';
import { createTestDatabase } from './postgres.ts';
import { NATS_URL, natsService, postgresService } from './services.ts';

export interface BusUnderTest {
  name: 'in-process' | 'NATS' | 'PostgreSQL LISTEN/NOTIFY';
  available: boolean;
  /** Whether buses opened from one transport stand for different processes that hear each other. */
  crossProcess: boolean;
  /** The largest frame of the transport in bytes (null: no wire), so a test can send an event larger than it. */
  frameBytes: number | null;
  /** A transport of the test's own; each `bus()` is one more process on it. */
  open(): Promise<{ bus(): Promise<EventBus>; close(): Promise<void> }>;
}

const logger = pino({ level: 'silent' });

export async function busesUnderTest(): Promise<BusUnderTest[]> {
  const [nats, postgres] = await Promise.all([natsService(), postgresService()]);
  const transport = (open: () => Promise<EventBus>, drop: () => Promise<void> = async () => {}) => {
    const buses: EventBus[] = [];
    return {
      bus: async () => {
        const bus = await open();
        buses.push(bus);
        return bus;
      },
      close: async () => {
        for (const bus of buses) await bus.close();
        await drop();
      },
    };
  };
  return [
    { name: 'in-process', available: true, crossProcess: false, frameBytes: null, open: async () => transport(async () => new InProcessBus()) },
    {
      name: 'NATS', available: nats.available, crossProcess: true, frameBytes: 1024 * 1024,
      open: async () => {
        const subject = `test.bus-${randomBytes(4).toString('hex')}.events`;
        return transport(() => NatsBus.connect({ url: NATS_URL, subject, logger }));
      },
    },
    {
      name: 'PostgreSQL LISTEN/NOTIFY', available: postgres.available, crossProcess: true, frameBytes: 8000,
      open: async () => {
        const database = await createTestDatabase();
        return transport(() => PgNotifyBus.connect({ url: database.url, logger }), database.drop);
      },
    },
  ];
}
