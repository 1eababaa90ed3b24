export { DATA_COMMANDS, DATA_FLAGS, POLLUTANT_CODES } from './codes.ts';
export type { PollutantCode } from './codes.ts';
export { decodeHj212 } from './decode.ts';
export { beijingIso, dataResponse, formatBeijingTime, framePacket, hj212Crc, parseBeijingTime, parsePacket, parseSegment, wantsReply } from './packet.ts';
export type { Hj212Packet, ParseResult, PollutantFields } from './packet.ts';
export { readHj212Port, startHj212Server } from './server.ts';
export type { Hj212Server } from './server.ts';
