// The live hub over real WebSockets: a bus gap (`resync`) reaches every socket, also one confined
// to an owner unit, while an incident of another unit does not reach that socket.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { sampleIncident } from '../../test/support/incident.ts';
import { InProcessBus } from '../bus/index.ts';
import type { LiveMessage } from './dto.ts';
import { LiveHub } from './live.ts';

describe('live hub', () => {
  const bus = new InProcessBus();
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  const hub = new LiveHub(bus, (event) => (event.type === 'resync' ? [{ type: 'resync' }] : event.type === 'incidents' ? event.incidents.map((i) => ({ type: 'incident', incident: i }) as LiveMessage) : []), {
    ofSensor: () => null,
    ofMessage: (m) => (m.type === 'incident' ? m.incident.ownerId : null),
  });
  afterAll(async () => {
    hub.close();
    server.close();
    await bus.close();
  });

  /** A client whose server-side socket the hub confines to `scope`; resolves once the hello arrived. */
  const connect = async (scope: string | null) => {
    const accepted = once(server, 'connection');
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const received: LiveMessage[] = [];
    client.on('message', (data) => received.push(JSON.parse(String(data)) as LiveMessage));
    const [socket] = (await accepted) as [WebSocket];
    hub.add(socket, { type: 'hello', serverTime: '2026-11-23T08:00:00.000Z' }, scope);
    await expect.poll(() => received.length).toBe(1);
    return { client, received };
  };

  it('tells every socket to re-read after a gap, and keeps other units\' incidents from a unit', async () => {
    const city = await connect(null);
    const gas = await connect('gas-co');
    bus.publish({ type: 'incidents', incidents: [sampleIncident({ ownerId: 'water-co', ownerName: '供水公司' })] });
    bus.publish({ type: 'resync', reason: 'test' });
    await expect.poll(() => gas.received.map((m) => m.type)).toEqual(['hello', 'resync']);
    await expect.poll(() => city.received.map((m) => m.type)).toEqual(['hello', 'incident', 'resync']);
    city.client.close();
    gas.client.close();
  });
});
