// HJ 212-2017 (污染物在线监控（监测）系统数据传输标准) packets: the text protocol Chinese water-quality
// stations and treatment-plant online monitors use over TCP. Pure functions, no I/O.
//
//   ## + 4-digit data length (decimal, bytes) + data segment + CRC (4 hex digits) + CR LF
//   data segment: QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&…&&
//
// The CRC is the standard's own CRC-16 (appendix of HJ 212-2017): register 0xFFFF, each byte
// folded in as `crc = (crc >> 8) ^ byte`, then eight shifts right with 0xA001 on a carry. It is
// not CRC-16/MODBUS (which XORs the byte into the low byte without the shift); checked here on
// the standard's example `##0101QN=20160801085857223;ST=32;CN=1062;…;CP=&&RtdInterval=30&&1C80`.

/** The standard's CRC-16 of the data segment, as 4 upper-case hex digits. */
export function hj212Crc(segment: Buffer | string): string {
  const bytes = typeof segment === 'string' ? Buffer.from(segment, 'utf8') : segment;
  let crc = 0xffff;
  for (const byte of bytes) {
    crc = (crc >> 8) ^ byte;
    for (let bit = 0; bit < 8; bit++) {
      const carry = crc & 1;
      crc >>= 1;
      if (carry) crc ^= 0xa001;
    }
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** Wraps a data segment into a packet: header, length, CRC and CR LF. */
export function framePacket(segment: string): string {
  const length = Buffer.byteLength(segment, 'utf8');
  if (length > 9999) throw new Error(`HJ 212 data segment of ${length} bytes does not fit the 4-digit length`);
  return `##${String(length).padStart(4, '0')}${segment}${hj212Crc(segment)}\r\n`;
}

/** One pollutant's fields from CP, e.g. `w01018-Rtd=12.5,w01018-Flag=N` → {Rtd: "12.5", Flag: "N"}. */
export type PollutantFields = Record<string, string>;

export interface Hj212Packet {
  /** Request number: the sender's time to the millisecond, YYYYMMDDhhmmsszzz; echoed in replies. */
  qn: string | undefined;
  /** System code: 21 surface water, 32 … 39 wastewater and others (table 5 of the standard); 91 system interaction. */
  st: string;
  /** Command number: 2011 real-time data, 2051 minute, 2061 hour, 2031 day data, 9014 data response… */
  cn: string;
  pw: string;
  /** The station's (data logger's) unique id. */
  mn: string;
  /** Packet flag: bit 0 = the sender asks for a reply, bit 1 = split packet, bits 2–7 = protocol version (1 = 2017). */
  flag: number;
  /** CP fields outside any pollutant, e.g. DataTime. */
  cp: Record<string, string>;
  /** Pollutant code → its fields, in packet order. */
  pollutants: Map<string, PollutantFields>;
}

export type ParseResult =
  | { ok: true; packet: Hj212Packet; segment: string }
  | { ok: false; reason: string; crcOk?: boolean; segment?: string };

const HEADER_FIELDS = ['QN', 'ST', 'CN', 'PW', 'MN', 'Flag', 'PNUM', 'PNO'] as const;

/** Parses one complete packet (with or without its trailing CR LF): framing, length, CRC, fields. */
export function parsePacket(raw: Buffer | string): ParseResult {
  let bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  if (bytes.length >= 2 && bytes[bytes.length - 2] === 0x0d && bytes[bytes.length - 1] === 0x0a) bytes = bytes.subarray(0, -2);
  if (bytes.length < 10 || bytes[0] !== 0x23 || bytes[1] !== 0x23) return { ok: false, reason: 'packet does not start with "##" and a 4-digit length' };
  const lengthText = bytes.subarray(2, 6).toString('latin1');
  if (!/^\d{4}$/.test(lengthText)) return { ok: false, reason: `data length "${lengthText}" is not 4 decimal digits` };
  const declared = Number(lengthText);
  const segmentBytes = bytes.subarray(6, -4);
  const segment = segmentBytes.toString('utf8');
  if (segmentBytes.length !== declared) {
    return { ok: false, reason: `declared data length ${declared} does not match the data segment's ${segmentBytes.length} bytes`, segment };
  }
  const sent = bytes.subarray(-4).toString('latin1').toUpperCase();
  const computed = hj212Crc(segmentBytes);
  if (!/^[0-9A-F]{4}$/.test(sent)) return { ok: false, reason: `CRC "${sent}" is not 4 hex digits`, crcOk: false, segment };
  if (sent !== computed) return { ok: false, reason: `CRC mismatch: packet says ${sent}, data segment gives ${computed}`, crcOk: false, segment };
  const fields = parseSegment(segment);
  if (typeof fields === 'string') return { ok: false, reason: fields, crcOk: true, segment };
  return { ok: true, packet: fields, segment };
}

/** The data segment's fields; a string says what is wrong. */
export function parseSegment(segment: string): Hj212Packet | string {
  const cpAt = segment.indexOf('CP=&&');
  if (cpAt < 0) return 'data segment has no "CP=&&…&&"';
  if (!segment.endsWith('&&') || segment.length < cpAt + 7) return 'CP is not closed by "&&"';
  const head = new Map<string, string>();
  for (const part of segment.slice(0, cpAt).split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return `header field "${part}" is not NAME=value`;
    head.set(part.slice(0, eq), part.slice(eq + 1));
  }
  for (const name of head.keys()) {
    if (!(HEADER_FIELDS as readonly string[]).includes(name)) return `unknown header field "${name}"`;
  }
  for (const name of ['ST', 'CN', 'MN'] as const) {
    if (!head.get(name)) return `header field ${name} is missing`;
  }
  const qn = head.get('QN');
  if (qn !== undefined && !/^\d{17}$/.test(qn)) return `QN "${qn}" is not YYYYMMDDhhmmsszzz`;
  const flagText = head.get('Flag') ?? '0';
  if (!/^\d{1,3}$/.test(flagText) || Number(flagText) > 255) return `Flag "${flagText}" is not a number from 0 to 255`;
  const cp: Record<string, string> = {};
  const pollutants = new Map<string, PollutantFields>();
  const body = segment.slice(cpAt + 5, -2);
  for (const group of body.split(';')) {
    for (const pair of group.split(',')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) return `CP field "${pair}" is not NAME=value`;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const dash = name.indexOf('-');
      if (dash > 0) {
        const code = name.slice(0, dash);
        let fields = pollutants.get(code);
        if (!fields) pollutants.set(code, (fields = {}));
        fields[name.slice(dash + 1)] = value;
      } else {
        cp[name] = value;
      }
    }
  }
  return { qn, st: head.get('ST')!, cn: head.get('CN')!, pw: head.get('PW') ?? '', mn: head.get('MN')!, flag: Number(flagText), cp, pollutants };
}

/** Whether the sender asked for a reply (Flag bit A). */
export const wantsReply = (packet: Hj212Packet): boolean => (packet.flag & 1) === 1;

/**
 * `YYYYMMDDhhmmss` (DataTime, and QN without its milliseconds) in Beijing time, as the
 * standard's times are; null when not a valid time.
 */
export function parseBeijingTime(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms ?? '000'}+08:00`);
  if (Number.isNaN(date.getTime())) return null;
  // Reject rolled-over dates such as 20260231: formatting back must give the same digits.
  return formatBeijingTime(date, ms !== undefined) === text ? date : null;
}

/** `date` as `YYYYMMDDhhmmss` (with `zzz` milliseconds when asked) in Beijing time. */
export function formatBeijingTime(date: Date, millis = false): string {
  const shifted = new Date(date.getTime() + 8 * 3_600_000).toISOString();
  const digits = shifted.slice(0, 19).replace(/\D/g, '');
  return millis ? digits + shifted.slice(20, 23) : digits;
}

/** The ISO 8601 form of a time with the Beijing offset, e.g. 2026-11-23T16:00:00+08:00. */
export function beijingIso(date: Date): string {
  const shifted = new Date(date.getTime() + 8 * 3_600_000).toISOString();
  return `${shifted.slice(0, 19)}+08:00`;
}

/**
 * The data response (CN=9014, ST=91 system interaction) the upper computer sends for an upload
 * whose Flag asks for one: the upload's QN, PW and MN echoed, Flag=4 (2017 version, no reply
 * wanted), empty CP.
 */
export function dataResponse(packet: Pick<Hj212Packet, 'qn' | 'pw' | 'mn'>): string {
  return framePacket(`QN=${packet.qn ?? ''};ST=91;CN=9014;PW=${packet.pw};MN=${packet.mn};Flag=4;CP=&&&&`);
}
