import type { UplinkDecoder } from '../codec.ts';
import { convertUnit, DATA_COMMANDS, DATA_FLAGS, POLLUTANT_CODES } from './codes.ts';
import { parseBeijingTime, parsePacket } from './packet.ts';

/**
 * Decodes one HJ 212-2017 packet of an uplink into readings and rejections; pure. A packet
 * that is malformed or fails its CRC is refused whole (`malformed`); otherwise each pollutant
 * stands or falls alone. The station id (MN) must be the device the uplink is for (or one
 * the sending gateway may report for). A pollutant's channel on the device is its code
 * (`w01018`) or its Lifeline indicator name (`cod`). A value whose instrument flag is not N
 * is refused (`instrument_flag`, the flag named): it is not a valid measurement.
 */
export function decodeHj212(decoder: UplinkDecoder): void {
  const fallbackId = decoder.uplink.deviceId ?? null;
  const parsed = parsePacket(decoder.text);
  if (!parsed.ok) return decoder.reject(fallbackId, 'malformed', `HJ 212 packet refused: ${parsed.reason}`);
  const { packet } = parsed;
  if (!decoder.device(packet.mn)) return;
  const command = DATA_COMMANDS[packet.cn];
  if (!command) {
    return decoder.reject(packet.mn, 'malformed', `HJ 212 command CN=${packet.cn} carries no data Lifeline stores (accepted: ${Object.keys(DATA_COMMANDS).join(', ')})`);
  }
  const dataTime = packet.cp.DataTime;
  if (dataTime === undefined) return decoder.reject(packet.mn, 'malformed', `HJ 212 ${command.name} (CN=${packet.cn}) has no DataTime`);
  const ts = parseBeijingTime(dataTime);
  if (!ts) return decoder.reject(packet.mn, 'malformed', `HJ 212 DataTime "${dataTime}" is not YYYYMMDDhhmmss`);
  for (const [code, fields] of packet.pollutants) {
    const item = { at: `CP.${code}` };
    const known = POLLUTANT_CODES[code];
    const sensor = decoder.sensors.channel(packet.mn, code) ?? (known ? decoder.sensors.channel(packet.mn, known.indicator) : undefined);
    const channel = sensor?.channel ?? code;
    const raw = fields[command.field];
    if (raw === undefined) {
      decoder.reject(packet.mn, 'malformed', `${code}: CN=${packet.cn} (${command.name}) carries values in ${code}-${command.field}, which is missing`, item);
      continue;
    }
    const flag = fields.Flag ?? 'N';
    if (flag !== 'N') {
      const meaning = DATA_FLAGS[flag] ?? 'unknown flag';
      decoder.reject(packet.mn, 'instrument_flag', `${code}-Flag=${flag}: ${meaning}; ${code}-${command.field}=${raw} is not a valid measurement`, item);
      continue;
    }
    const number = raw.trim() === '' ? Number.NaN : Number(raw);
    let value: unknown = Number.isFinite(number) ? number : raw;
    if (sensor && known && typeof value === 'number') {
      const converted = convertUnit(value, known.unit, sensor.unit);
      if (converted !== null) value = converted;
    }
    decoder.value(packet.mn, channel, value, ts, undefined, item);
  }
}
