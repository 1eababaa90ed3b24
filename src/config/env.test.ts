import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './env.ts';
import { choosePort, listenError } from './ports.ts';

describe('readConfig', () => {
  it('has the documented defaults', () => {
    expect(readConfig({})).toMatchObject({
      port: undefined, mqttPort: undefined, dataDir: './data', databaseUrl: undefined, mqttUrl: undefined,
      topicPrefix: 'lifeline', incidentLevel: 2, simulate: true, natsUrl: undefined, natsSubject: 'lifeline.events',
    });
    expect(readConfig({}).retention.deliveryDays).toBe(90);
    expect(readConfig({ RETENTION_DELIVERY_DAYS: '0' }).retention.deliveryDays).toBe(0);
  });
  it('names the variable that is wrong', () => {
    expect(() => readConfig({ PORT: 'eighty' })).toThrow(new ConfigError('PORT=eighty: expected a whole number from 0 to 65535'));
    expect(() => readConfig({ MQTT_PORT: '70000' })).toThrow(/^MQTT_PORT=70000/);
    expect(() => readConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/^DATABASE_URL: protocol mysql:/);
    expect(() => readConfig({ MQTT_URL: 'not a url' })).toThrow(/^MQTT_URL: not a URL/);
    expect(() => readConfig({ SIMULATE: 'maybe' })).toThrow(/^SIMULATE=maybe/);
    expect(() => readConfig({ NATS_URL: 'http://127.0.0.1:4222' })).toThrow(/^NATS_URL: protocol http:/);
    expect(() => readConfig({ NATS_SUBJECT: 'lifeline.>' })).toThrow(/^NATS_SUBJECT=lifeline\.>/);
    // The notification catch-up looks back a day: delivery logs are kept at least two.
    expect(() => readConfig({ RETENTION_DELIVERY_DAYS: '1' })).toThrow(/^RETENTION_DELIVERY_DAYS=1: expected 0 \(keep forever\) or a whole number from 2 to 100000/);
  });
});

describe('ports', () => {
  it('takes the next free port when the default is taken, and keeps a port the operator set', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      const chosen = await choosePort(undefined, taken, '127.0.0.1');
      expect(chosen).toBeGreaterThan(taken);
      expect(await choosePort(taken, 8080, '127.0.0.1')).toBe(taken);
    } finally {
      holder.close();
    }
  });
  it('explains a port clash in one line naming the variable', () => {
    const clash = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    expect(listenError(clash, 'PORT', 8080).message).toBe('PORT=8080: port 8080 is already in use; set PORT to a free port');
  });
});
