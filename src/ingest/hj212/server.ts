import net from 'node:net';
import { ConfigError } from '../../config/index.ts';
import type { AuthCounters } from '../auth-counters.ts';
import type { Uplink } from '../codec.ts';
import type { DeviceCredentials } from '../credentials.ts';
import type { UplinkSink } from '../pipeline.ts';
import { DATA_COMMANDS } from './codes.ts';
import { dataResponse, parsePacket, wantsReply } from './packet.ts';

export interface Hj212Server {
  port: number;
  close(): Promise<void>;
}

/** Longest run of bytes without CR LF taken as one (bad) packet: 9999 data bytes + header, CRC and slack. */
const MAX_PACKET_BYTES = 10_016;
const HEADER = Buffer.from('##');
const CRLF = Buffer.from('\r\n');

/**
 * HJ 212-2017 over TCP (`HJ212_PORT`): stations (data loggers) connect and upload packets;
 * every packet goes through the same IngestPipeline as MQTT and HTTP, marked `form: 'hj212'`.
 *
 * - Framing: a packet runs from `##` to CR LF; length, CRC and fields are checked by the
 *   decoder. Bytes outside a packet, a bad length or CRC, an unknown command: a dead letter
 *   with the raw bytes and the reason, and the connection stays open.
 * - Identity (`auth` set, DEVICE_AUTH=required): every packet carries MN (the station id) and
 *   PW; MN must be a device with credentials and PW its secret (DeviceCredentials.verify). A
 *   refused packet is counted (GET /api/ingest/stats), never stored and never answered. A
 *   packet too broken to name its MN and PW is stored under the device this connection has
 *   proven itself to be, or counted when it has proven nothing yet.
 * - Replies: an upload whose Flag asks for one (bit A) gets the data response CN=9014 with
 *   its QN echoed, sent only after its readings (or dead letters) are committed, like a PUBACK.
 *   No reply means "not stored": the data logger sends it again.
 */
export async function startHj212Server(options: {
  server: net.Server;
  /** The pipeline, or the ingest stream (INGEST_STREAM=jetstream): the acknowledgement waits for it either way. */
  pipeline: UplinkSink;
  /** null: DEVICE_AUTH=off, any station may report for any device. */
  auth: { credentials: DeviceCredentials; counters: AuthCounters } | null;
  onError: (error: unknown) => void;
}): Promise<Hj212Server> {
  const { auth, pipeline } = options;
  const sockets = new Set<net.Socket>();

  const handle = (socket: net.Socket) => {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    let buffer: Buffer = Buffer.alloc(0);
    let proven: string | null = null;
    let chain = Promise.resolve();
    let replies = Promise.resolve();

    const refuse = (reason: 'missing_credentials' | 'unknown_principal' | 'wrong_secret' | 'publish_denied', principal: string | null, detail: string) =>
      auth!.counters.record({ transport: 'hj212', reason, principal, detail: `${detail} from ${remote}` });

    /** Which device a packet is stored for; null when it is refused (and counted). */
    const identify = async (text: string, mn: string | undefined, pw: string | undefined): Promise<string | null> => {
      if (!auth) return mn ?? proven;
      if (mn === undefined || pw === undefined) {
        if (proven !== null) return proven;
        refuse('missing_credentials', mn ?? null, `HJ 212 packet without MN and PW (${text.length} bytes)`);
        return null;
      }
      const result = await auth.credentials.verify(mn, pw);
      if (typeof result === 'string') {
        refuse(result, mn, 'HJ 212 packet refused');
        return null;
      }
      if (result.kind !== 'device') {
        refuse('publish_denied', mn, `HJ 212 MN '${mn}' is a gateway, not a station`);
        return null;
      }
      proven = mn;
      return mn;
    };

    const process = async (bytes: Buffer) => {
      const parsed = parsePacket(bytes);
      const text = bytes.toString('utf8');
      const field = (name: string) => new RegExp(`(?:^|[;#\\d])${name}=([^;]*)`).exec(text)?.[1];
      const mn = parsed.ok ? parsed.packet.mn : field('MN');
      const pw = parsed.ok ? parsed.packet.pw : field('PW');
      const deviceId = await identify(text, mn, pw);
      const base = { form: 'hj212' as const, source: `hj212:${remote}`, payload: bytes, receivedAt: new Date() };
      let uplink: Uplink;
      if (deviceId !== null) uplink = { ...base, deviceId };
      else if (!auth) uplink = { ...base, gateway: { id: `hj212:${remote}`, mayReport: () => true } };
      else return;
      // The next packet need not wait for this one's commit (a data logger uploading a backlog
      // fills a group commit); the replies still go out in packet order, each after its commit.
      const committed = pipeline.submit(uplink);
      const reply = parsed.ok && wantsReply(parsed.packet) && DATA_COMMANDS[parsed.packet.cn] ? dataResponse(parsed.packet) : null;
      replies = replies.then(() => committed.then(
        () => { if (reply && !socket.destroyed) socket.write(reply); },
        (error: unknown) => options.onError(error),
      ));
    };

    const enqueue = (bytes: Buffer) => {
      chain = chain.then(() => process(bytes)).catch(options.onError);
    };

    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const start = buffer.indexOf(HEADER);
        if (start !== 0) {
          // Bytes before a header are not a packet; line noise between packets (CR LF) is ignored.
          const junk = buffer.subarray(0, start < 0 ? buffer.length : start);
          if (start < 0 && junk.length < MAX_PACKET_BYTES && !junk.includes(CRLF)) break;
          if (junk.toString('latin1').trim() !== '') enqueue(Buffer.from(junk));
          buffer = start < 0 ? Buffer.alloc(0) : buffer.subarray(start);
          if (start < 0) break;
        }
        const end = buffer.indexOf(CRLF);
        if (end < 0) {
          if (buffer.length > MAX_PACKET_BYTES) {
            enqueue(Buffer.from(buffer));
            buffer = Buffer.alloc(0);
          }
          break;
        }
        enqueue(Buffer.from(buffer.subarray(0, end + 2)));
        buffer = buffer.subarray(end + 2);
      }
    });
    socket.on('error', () => socket.destroy());
  };

  options.server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    handle(socket);
  });
  const address = options.server.address() as net.AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        options.server.close(() => resolve());
      }),
  };
}

/** `HJ212_PORT`: the TCP port of the HJ 212 listener; unset or empty = no listener; 0 = any free port. */
export function readHj212Port(env: Record<string, string | undefined> = process.env): number | null {
  const raw = env.HJ212_PORT;
  if (raw === undefined || raw === '') return null;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`HJ212_PORT=${raw}: expected a port number from 0 to 65535`);
  return port;
}
