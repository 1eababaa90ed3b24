// The one contract every EventBus passes (test/support/buses.ts): in process, NATS, PostgreSQL
// LISTEN/NOTIFY. A bus delivers what its own process publishes at once, in order, to every
// subscriber; a cross-process bus also delivers another process's events, once, whole and in
// order, to the `all` subscribers only, and never echoes a process's own event back to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm } from '../detect/index.ts';
import type { EventBus, PlatformEvent } from './index.ts';
import { busesUnderTest } from '../../test/support/buses.ts';
import { sampleIncident } from '../../test/support/incident.ts';

const alarm: Alarm = {
  id: '41', sensorId: 'GD-001.lel', ruleId: 'gas-lel', ruleVersion: 3, level: 2, peakLevel: 1, state: 'active',
  openedAt: '2026-11-23T08:00:00.000Z', updatedAt: '2026-11-23T08:01:00.000Z', clearedAt: null, triggerValue: 26.5, lastValue: 31,
  incidentId: '7', category: 'emergency', assetId: null, occurrences: 2,
};
const incident = sampleIncident();
const alerting = { '41': { ack: { by: 'centre-operator', at: '2026-11-23T08:02:00.000Z', comment: '已通知' }, muted: null, flapping: false } };
/** One event of each kind, as the platform publishes them. */
const samples: PlatformEvent[] = [
  { type: 'readings', readings: [{ sensorId: 'GD-001.lel', ts: '2026-11-23T08:00:00.000Z', value: 31 }] },
  { type: 'alarms', alarms: [alarm], alerting },
  { type: 'incidents', incidents: [incident] },
  { type: 'notices', notices: [{ alarmId: '41', reason: 'raised' }], alarms: [alarm], alerting },
];
const readings = (n: number, label: string): PlatformEvent => ({ type: 'readings', readings: [{ sensorId: label, ts: '2026-11-23T08:00:00.000Z', value: n }] });
/** The label of a one-reading event (what order tests compare). */
const label = (event: PlatformEvent) => (event.type === 'readings' ? `${event.readings[0]!.sensorId}#${event.readings[0]!.value}` : event.type);

/** Everything a subscriber heard, and a wait for a given event. */
function recorder(bus: EventBus, origin: 'all' | 'local' = 'all') {
  const heard: PlatformEvent[] = [];
  const unsubscribe = bus.subscribe((event) => heard.push(event), origin);
  return {
    heard, unsubscribe,
    labels: () => heard.map(label),
    /** Waits until `marker` is heard: everything its publisher sent before it has arrived by then (per-publisher order). */
    until: (marker: string) => expect.poll(() => heard.map(label), { timeout: 10_000, interval: 10 }).toContain(marker),
  };
}

for (const implementation of await busesUnderTest()) {
  describe.skipIf(!implementation.available)(`EventBus contract: ${implementation.name}`, () => {
    let transport: Awaited<ReturnType<typeof implementation.open>>;
    beforeAll(async () => {
      transport = await implementation.open();
    });
    afterAll(async () => {
      await transport?.close();
    });

    it("delivers its own process's events at once, in order, to every subscriber; unsubscribing stops it", async () => {
      const bus = await transport.bus();
      const all = recorder(bus);
      const local = recorder(bus, 'local');
      for (const event of samples) bus.publish(event);
      // Synchronously: before publish returns, as the in-process EventEmitter did.
      expect(all.heard).toEqual(samples);
      expect(local.heard).toEqual(samples);
      all.unsubscribe();
      bus.publish(readings(1, 'after'));
      expect(all.heard).toHaveLength(samples.length);
      expect(local.labels().at(-1)).toBe('after#1');
      local.unsubscribe();
    });

    it('the same listener subscribed twice hears each event twice, and one unsubscribe leaves the other', async () => {
      const bus = await transport.bus();
      const heard: string[] = [];
      const listener = (event: PlatformEvent) => heard.push(label(event));
      const first = bus.subscribe(listener);
      const second = bus.subscribe(listener);
      bus.publish(readings(1, 'twice'));
      first();
      bus.publish(readings(2, 'twice'));
      second();
      expect(heard).toEqual(['twice#1', 'twice#1', 'twice#2']);
    });

    // Only buses that reach other processes have this part of the contract.
    if (implementation.crossProcess) describe('across processes', () => {
      let a: EventBus;
      let b: EventBus;
      let c: EventBus;
      beforeAll(async () => {
        [a, b, c] = [await transport.bus(), await transport.bus(), await transport.bus()];
      });

      it("another process's events arrive once and unchanged at its `all` subscribers, never at `local` ones, and never echo back", async () => {
        const aHears = recorder(a);
        const bHears = recorder(b);
        const bLocal = recorder(b, 'local');
        for (const event of samples) a.publish(event);
        a.publish(readings(0, 'end-1'));
        await bHears.until('end-1#0');
        expect(bHears.heard).toEqual([...samples, readings(0, 'end-1')]);
        expect(bLocal.heard).toEqual([]);
        // a heard its own once, when it published; a marker from b proves nothing of a's came back in between.
        b.publish(readings(0, 'from-b'));
        await aHears.until('from-b#0');
        expect(aHears.labels()).toEqual([...samples.map(label), 'end-1#0', 'from-b#0']);
        expect(bHears.labels().filter((l) => l === 'from-b#0')).toHaveLength(1);
        for (const r of [aHears, bHears, bLocal]) r.unsubscribe();
      });

      it('keeps each publisher’s order, with three processes publishing at once', async () => {
        const heard = { a: recorder(a), b: recorder(b), c: recorder(c) };
        for (let i = 1; i <= 300; i++) {
          a.publish(readings(i, 'a'));
          b.publish(readings(i, 'b'));
        }
        c.publish(readings(0, 'c'));
        // Everyone has everything (so nothing of this test is still arriving when the next one listens).
        for (const marker of ['a#300', 'b#300', 'c#0']) for (const r of Object.values(heard)) await r.until(marker);
        const sequence = (labels: string[], who: string) => labels.filter((l) => l.startsWith(`${who}#`)).map((l) => Number(l.split('#')[1]));
        const upTo300 = Array.from({ length: 300 }, (_, i) => i + 1);
        // Each heard its own at publish and the others' once, each publisher's in its order.
        for (const r of Object.values(heard)) {
          expect(sequence(r.labels(), 'a')).toEqual(upTo300);
          expect(sequence(r.labels(), 'b')).toEqual(upTo300);
          expect(sequence(r.labels(), 'c')).toEqual([0]);
          r.unsubscribe();
        }
      });

      it("an event larger than the transport's frame arrives whole, multi-byte text cut nowhere", async () => {
        // ~3 frames' worth of readings whose sensor names are Chinese (3 UTF-8 bytes a character).
        const count = Math.ceil((3 * implementation.frameBytes!) / 60);
        const large: PlatformEvent = {
          type: 'readings', readings: Array.from({ length: count }, (_, i) => ({ sensorId: `检测井-${i}.可燃气体`, ts: '2026-11-23T08:00:00.000Z', value: i / 7 })),
        };
        expect(Buffer.byteLength(JSON.stringify(large))).toBeGreaterThan(2 * implementation.frameBytes!);
        const bHears = recorder(b);
        a.publish(readings(1, 'before'));
        a.publish(large);
        a.publish(readings(1, 'after'));
        await bHears.until('after#1');
        expect(bHears.heard).toEqual([readings(1, 'before'), large, readings(1, 'after')]);
        bHears.unsubscribe();
      });

      it('a closed process still hears its own events but sends none; what it published before closing arrives', async () => {
        const closing = await transport.bus();
        const own = recorder(closing);
        const bHears = recorder(b);
        closing.publish(readings(1, 'last'));
        await closing.close();
        closing.publish(readings(2, 'last'));
        expect(own.labels()).toEqual(['last#1', 'last#2']);
        await bHears.until('last#1');
        // A marker from a, published after the close, arrives after anything the closed bus could still have sent.
        a.publish(readings(0, 'marker'));
        await bHears.until('marker#0');
        expect(bHears.labels().filter((l) => l.startsWith('last#'))).toEqual(['last#1']);
        bHears.unsubscribe();
      });
    });
  });
}
