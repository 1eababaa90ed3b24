// CLI: `hj212 decode`: reads one HJ 212-2017 packet on stdin and prints what the TCP listener
// (HJ212_PORT) would read from it, with the same parser.
import type { Command } from 'commander';
import { beijingIso, parseBeijingTime, parsePacket, parseSegment, type Hj212Packet } from './packet.ts';

export interface DecodedPacketDto {
  crcOk: boolean;
  st: string;
  cn: string;
  mn: string;
  qn: string | null;
  flag: number;
  /** DataTime as ISO 8601 with the +08:00 offset (the packet's time is Beijing time); null when absent or invalid. */
  dataTime: string | null;
  /** Pollutant code → its fields, lower-cased: rtd, avg, min, max, cou as numbers; flag as sent. */
  values: Record<string, Record<string, number | string>>;
}

function dto(packet: Hj212Packet, crcOk: boolean): DecodedPacketDto {
  const time = packet.cp.DataTime === undefined ? null : parseBeijingTime(packet.cp.DataTime);
  const values: DecodedPacketDto['values'] = {};
  for (const [code, fields] of packet.pollutants) {
    values[code] = Object.fromEntries(Object.entries(fields).map(([name, raw]) => {
      const number = Number(raw);
      return [name.toLowerCase(), name === 'Flag' || name === 'EFlag' || raw.trim() === '' || !Number.isFinite(number) ? raw : number];
    }));
  }
  return { crcOk, st: packet.st, cn: packet.cn, mn: packet.mn, qn: packet.qn ?? null, flag: packet.flag, dataTime: time ? beijingIso(time) : null, values };
}

/**
 * Decodes a packet for the CLI: a CRC mismatch is reported (`crcOk: false`) with the fields
 * still read; framing that cannot be read (no `##`, a declared length that does not match) is
 * an error with the reason.
 */
export function decodeForCli(text: string): DecodedPacketDto | { error: string } {
  const packet = text.replace(/\r?\n$/, '').replace(/\r$/, '');
  const parsed = parsePacket(`${packet}\r\n`);
  if (parsed.ok) return dto(parsed.packet, true);
  if (parsed.crcOk === false && parsed.segment !== undefined) {
    const fields = parseSegment(parsed.segment);
    if (typeof fields !== 'string') return dto(fields, false);
    return { error: `${parsed.reason}; ${fields}` };
  }
  return { error: parsed.reason };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerHj212Commands(program: Command): void {
  const hj212 = program.command('hj212').description('HJ 212-2017 packets, as the TCP listener (HJ212_PORT) reads them (see docs/ingest.md)');
  hj212
    .command('decode')
    .description('read one packet (## + length + data + CRC + CR LF) on stdin and print its fields; exits 1 when it cannot be framed')
    .option('--json', 'print a JSON object as the last line')
    .action(async (opts: { json?: boolean }) => {
      const result = decodeForCli(await readStdin());
      if ('error' in result) {
        console.error(`lifeline: HJ 212 packet refused: ${result.error}`);
        process.exit(1);
      }
      if (!result.crcOk) console.error('lifeline: CRC mismatch: the packet would be refused (dead letter)');
      if (opts.json) console.log(JSON.stringify(result));
      else {
        console.log(`MN ${result.mn} · ST ${result.st} · CN ${result.cn} · ${result.dataTime ?? 'no DataTime'} · CRC ${result.crcOk ? 'ok' : 'MISMATCH'}`);
        for (const [code, fields] of Object.entries(result.values)) console.log(`  ${code} ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
    });
}
