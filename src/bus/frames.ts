import { randomBytes } from 'node:crypto';
import type { PlatformEvent } from './types.ts';

// How a cross-process bus puts an event on the wire: JSON cut into frames no larger than the
// transport's limit (NATS max_payload, 1 MiB by default; PostgreSQL NOTIFY, under 8000 bytes), each
// headed by one line: `<origin> <seq> <part>/<parts>`. The origin names the publishing bus, so a
// process recognises and drops its own events (it delivered them when it published them).
// Frames are text (a NOTIFY payload must be), cut between whole characters.

/** A publishing bus's name on the wire: random, so two processes never share one. */
export function newOrigin(): string {
  return randomBytes(8).toString('hex');
}

/** Room kept for the header line. */
const HEADER_BYTES = 64;

export class FrameEncoder {
  private seq = 0;

  constructor(
    readonly origin: string,
    /** The largest frame the transport takes, in UTF-8 bytes. */
    private readonly maxBytes: number,
  ) {
    if (maxBytes <= HEADER_BYTES + 16) throw new Error(`frame limit ${maxBytes} bytes is too small`);
  }

  encode(event: PlatformEvent): string[] {
    const json = JSON.stringify(event);
    const slices = cut(json, this.maxBytes - HEADER_BYTES);
    const seq = ++this.seq;
    return slices.map((slice, i) => `${this.origin} ${seq} ${i + 1}/${slices.length}\n${slice}`);
  }
}

/** Cuts text into pieces of at most `maxBytes` UTF-8 bytes, each ending on a whole character. */
function cut(text: string, maxBytes: number): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + maxBytes);
    // Back off over continuation bytes (10xxxxxx) to the start of the character that did not fit.
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end -= 1;
    pieces.push(bytes.toString('utf8', start, end));
    start = end;
  }
  return pieces;
}

export type Decoded = { kind: 'event'; event: PlatformEvent } | { kind: 'own' } | { kind: 'partial' } | { kind: 'dropped'; reason: string };

/** Reassembles the frames of other origins; frames of each origin arrive in its publish order. */
export class FrameDecoder {
  /** The event each origin is in the middle of. */
  private partial = new Map<string, { seq: string; parts: number; pieces: string[] }>();

  constructor(private readonly ownOrigin: string) {}

  decode(frame: string): Decoded {
    const newline = frame.indexOf('\n');
    const header = (newline < 0 ? '' : frame.slice(0, newline)).split(' ');
    const [origin, seq, position] = header;
    const [part, parts] = (position ?? '').split('/').map(Number);
    if (header.length !== 3 || !origin || !seq || !Number.isInteger(part) || !Number.isInteger(parts) || part! < 1 || part! > parts!) {
      return { kind: 'dropped', reason: 'not a bus frame' };
    }
    if (origin === this.ownOrigin) return { kind: 'own' };
    const body = frame.slice(newline + 1);
    if (parts === 1) return this.parse(body);
    const current = this.partial.get(origin);
    if (part === 1) {
      this.partial.set(origin, { seq, parts: parts!, pieces: [body] });
      return current ? { kind: 'dropped', reason: `event ${current.seq} from ${origin} incomplete` } : { kind: 'partial' };
    }
    if (!current || current.seq !== seq || current.pieces.length !== part! - 1) {
      this.partial.delete(origin);
      return { kind: 'dropped', reason: `frame ${part}/${parts} of event ${seq} from ${origin} out of order` };
    }
    current.pieces.push(body);
    if (current.pieces.length < current.parts) return { kind: 'partial' };
    this.partial.delete(origin);
    return this.parse(current.pieces.join(''));
  }

  private parse(json: string): Decoded {
    try {
      return { kind: 'event', event: JSON.parse(json) as PlatformEvent };
    } catch {
      return { kind: 'dropped', reason: 'event is not JSON' };
    }
  }
}
