import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.ts';
import { partitionOf, readIngestStream } from './config.ts';
import { decodeUplink, encodeUplink } from './envelope.ts';

describe('ingest stream configuration', () => {
  it('is off unless INGEST_STREAM=jetstream, with the documented defaults', () => {
    expect(readIngestStream({})).toBeNull();
    expect(readIngestStream({ INGEST_STREAM: 'direct' })).toBeNull();
    expect(readIngestStream({ INGEST_STREAM: 'jetstream' })).toEqual({ stream: 'LIFELINE_INGEST', subject: 'lifeline.ingest', partitions: 16 });
    expect(readIngestStream({ INGEST_STREAM: 'jetstream', INGEST_PARTITIONS: '4', INGEST_STREAM_NAME: 'CITY_A', INGEST_SUBJECT: 'city-a.ingest' }))
      .toEqual({ stream: 'CITY_A', subject: 'city-a.ingest', partitions: 4 });
    expect(readIngestStream({ INGEST_STREAM: 'jetstream', INGEST_CONSUME: 'false' })).toEqual({ stream: 'LIFELINE_INGEST', subject: 'lifeline.ingest', partitions: 16, consume: false });
    expect(readIngestStream({ INGEST_STREAM: 'jetstream', INGEST_CONSUME: 'TRUE' })).not.toHaveProperty('consume');
  });

  it('refuses what it cannot use, naming the variable', () => {
    expect(() => readIngestStream({ INGEST_STREAM: 'kafka' })).toThrow(new ConfigError('INGEST_STREAM=kafka: expected jetstream or direct'));
    expect(() => readIngestStream({ INGEST_STREAM: 'jetstream', INGEST_PARTITIONS: '0' })).toThrow(/^INGEST_PARTITIONS=0/);
    expect(() => readIngestStream({ INGEST_STREAM: 'jetstream', INGEST_PARTITIONS: '2.5' })).toThrow(/^INGEST_PARTITIONS=2.5/);
    expect(() => readIngestStream({ INGEST_STREAM: 'jetstream', INGEST_SUBJECT: 'lifeline.>' })).toThrow(/^INGEST_SUBJECT=/);
    expect(() => readIngestStream({ INGEST_STREAM: 'jetstream', INGEST_STREAM_NAME: 'a.b' })).toThrow(/^INGEST_STREAM_NAME=/);
    expect(() => readIngestStream({ INGEST_STREAM: 'jetstream', INGEST_CONSUME: 'no' })).toThrow(new ConfigError('INGEST_CONSUME=no: expected true or false'));
  });

  it('puts a sender in the same partition always (FNV-1a), and spreads senders', () => {
    // Fixed values: a change of hash would move every sender to another partition mid-stream.
    expect([partitionOf('GD-001', 16), partitionOf('SIM-GW', 16), partitionOf('液位计-7', 16)]).toEqual([8, 9, 2]);
    expect(partitionOf('', 16)).toBe(0x811c9dc5 % 16);
    expect(partitionOf('a', 1 << 30)).toBe(0xe40c292c % (1 << 30));
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[partitionOf(`S${String(i).padStart(5, '0')}`, 16)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });
});

describe('uplink envelope', () => {
  it('carries what the receiving process knew, binary payloads byte for byte', () => {
    const receivedAt = new Date('2026-11-23T08:00:00.123Z');
    const device = decodeUplink(encodeUplink({ source: 'mqtt:lifeline/devices/GD-001/up', deviceId: 'GD-001', receivedAt, payload: Buffer.from([0xff, 0x00, 0x7b]) }), () => false);
    expect(device).toEqual({ source: 'mqtt:lifeline/devices/GD-001/up', deviceId: 'GD-001', receivedAt, payload: Buffer.from([0xff, 0x00, 0x7b]) });
    const asked: string[] = [];
    const gateway = decodeUplink(
      encodeUplink({ source: 'hj212:10.0.0.1:5000', form: 'hj212', receivedAt, payload: '##0101QN=…', gateway: { id: 'GW-1', mayReport: () => true } }),
      (g, d) => (asked.push(`${g}>${d}`), d === 'WQ-1'),
    );
    expect(gateway).toMatchObject({ source: 'hj212:10.0.0.1:5000', form: 'hj212', receivedAt, gateway: { id: 'GW-1' } });
    expect(gateway!.payload.toString()).toBe('##0101QN=…');
    expect([gateway!.gateway!.mayReport('WQ-1'), gateway!.gateway!.mayReport('WQ-2')]).toEqual([true, false]);
    expect(asked).toEqual(['GW-1>WQ-1', 'GW-1>WQ-2']);
    expect(decodeUplink(new TextEncoder().encode('garbage'), () => true)).toBeNull();
    expect(decodeUplink(new TextEncoder().encode('{"source":"x"}'), () => true)).toBeNull();
  });
});
