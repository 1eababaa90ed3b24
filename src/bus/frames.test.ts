import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameEncoder } from './frames.ts';
import type { PlatformEvent } from './types.ts';

const event: PlatformEvent = {
  type: 'readings',
  readings: Array.from({ length: 12 }, (_, i) => ({ sensorId: `检测井🚰-${i}.液位`, ts: '2026-11-23T08:00:00.000Z', value: i })),
};

describe('bus frames', () => {
  it('cuts an event into frames within the limit, on whole characters, and puts it back together', () => {
    const frames = new FrameEncoder('aaaa', 120).encode(event);
    expect(frames.length).toBeGreaterThan(5);
    for (const frame of frames) expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(120);
    // No frame holds half a character: each survives a UTF-8 round trip unchanged.
    for (const frame of frames) expect(Buffer.from(frame, 'utf8').toString('utf8')).toBe(frame);
    const decoder = new FrameDecoder('bbbb');
    const results = frames.map((f) => decoder.decode(f));
    expect(results.slice(0, -1).every((r) => r.kind === 'partial')).toBe(true);
    expect(results.at(-1)).toEqual({ kind: 'event', event });
  });

  it("drops its own frames, and an event missing a frame without losing the next one", () => {
    const encoder = new FrameEncoder('aaaa', 120);
    expect(new FrameDecoder('aaaa').decode(encoder.encode(event)[0]!)).toEqual({ kind: 'own' });
    const decoder = new FrameDecoder('bbbb');
    const torn = encoder.encode(event);
    const results = [...torn.slice(0, 2), ...torn.slice(3)].map((f) => decoder.decode(f));
    expect(results.some((r) => r.kind === 'event')).toBe(false);
    expect(results[2]).toMatchObject({ kind: 'dropped' });
    const whole = encoder.encode(event).map((f) => decoder.decode(f));
    expect(whole.at(-1)).toEqual({ kind: 'event', event });
    expect(decoder.decode('not a frame')).toMatchObject({ kind: 'dropped', reason: 'not a bus frame' });
  });
});
