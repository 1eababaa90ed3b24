// Stop and start on the same DATA_DIR: everything the platform knew is still there, the demo
// city is not loaded twice, and a second process cannot open the same directory meanwhile.
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlarmDto, AssetCollection, IncidentDto, ReadingDto } from '../src/api/index.ts';
import { ConfigError, startPlatform, type PlatformOptions } from '../src/platform/index.ts';
import { USERS } from './support/api.ts';
import { tempDir, topicPrefix } from './support/tmp.ts';
import { getJson, postJson, waitFor } from './support/wait.ts';

const data = tempDir('restart');
afterAll(() => data.remove());

describe('restart on the same DATA_DIR', () => {
  const options: PlatformOptions = {
    port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('restart'),
    simulate: false, buildWeb: false, log: false,
  };

  it('keeps assets, readings, alarms and incidents', async () => {
    const first = await startPlatform(options);
    // A login session is kept in the database: the same token works after the restart.
    const token = await first.login(USERS.operator);
    let incidentId: string;
    let assetCount: number;
    try {
      await expect(startPlatform(options)).rejects.toThrow(ConfigError);
      await expect(startPlatform(options)).rejects.toThrow(/^DATA_DIR=.*in use by process/);

      const device = await mqtt.connectAsync(first.mqttUrl, first.deviceCredentials('GD-002'));
      await device.publishAsync(`${first.topicPrefix}/devices/GD-002/up`, JSON.stringify({ ts: '2026-11-23T01:00:00Z', values: { lel: 30 } }), { qos: 1 });
      await device.endAsync();
      const incident = await waitFor('the incident', async () => (await getJson<IncidentDto[]>(`${first.url}/api/incidents`, token))[0]);
      incidentId = incident.id;
      for (const action of ['verify', 'dispatch']) {
        expect((await postJson<IncidentDto>(`${first.url}/api/incidents/${incidentId}/transitions`, { action, actor: 'operator' }, token)).status).toBe(200);
      }
      assetCount = (await getJson<AssetCollection>(`${first.url}/api/assets`, token)).features.length;
      expect(assetCount).toBeGreaterThan(20);
    } finally {
      await first.stop();
    }

    const second = await startPlatform(options);
    try {
      expect((await getJson<AssetCollection>(`${second.url}/api/assets`, token)).features).toHaveLength(assetCount);
      expect(await getJson<ReadingDto[]>(`${second.url}/api/sensors/GD-002.lel/readings`, token)).toEqual([{ ts: '2026-11-23T01:00:00.000Z', value: 30 }]);
      const [alarm] = await getJson<AlarmDto[]>(`${second.url}/api/alarms`, token);
      expect(alarm).toMatchObject({ sensorId: 'GD-002.lel', level: 2, state: 'active', incidentId });
      const [incident] = await getJson<IncidentDto[]>(`${second.url}/api/incidents`, token);
      expect(incident).toMatchObject({ id: incidentId, state: 'dispatched', ownerId: 'gas-co' });
      expect(incident!.events.map((e) => e.action)).toEqual(['open', 'verify', 'dispatch']);
    } finally {
      await second.stop();
    }
  });
});
