// What the simulator drives: the demo's scripted sensors, and any generated city's sensors.
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { SensorDto } from '../api/index.ts';
import { writeModel } from '../network/index.ts';
import { startPlatform } from '../platform/index.ts';
import { USERS } from '../../test/support/api.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { getJson, waitFor } from '../../test/support/wait.ts';
import { DEMO_SENSORS } from './demo-city.ts';
import { generateCity } from './generator.ts';
import { PRESETS } from './presets/index.ts';
import { simulatedSensors, simulatedValue } from './simulator.ts';

describe('simulated sensors', () => {
  it('plays the demo scenario: a leak peaking at level 2 with the pressure dip, storms in the manholes', () => {
    const sensors = simulatedSensors(DEMO_SENSORS);
    const by = (id: string) => sensors.find((s) => `${s.deviceId}.${s.channel}` === id)!;
    const cycle = 360_000;
    const peakOfLeak = 0.425 * cycle;
    expect(by('GD-002.lel').role).toBe('leak');
    expect(simulatedValue(by('GD-002.lel'), peakOfLeak, cycle, 1)).toBeGreaterThanOrEqual(25);
    expect(simulatedValue(by('GD-002.lel'), peakOfLeak, cycle, 1)).toBeLessThan(50);
    expect(simulatedValue(by('GD-002.lel'), 0, cycle, 1)).toBeLessThan(5);
    expect(simulatedValue(by('GP-001.p'), peakOfLeak, cycle, 1)).toBeLessThan(0.28);
    expect(simulatedValue(by('DL-001.level'), 0.8 * cycle, cycle, 1)).toBeGreaterThanOrEqual(2);
    expect(simulatedValue(by('GD-001.lel'), peakOfLeak, cycle, 1)).toBeLessThan(5);
  });

  it('gives every sensor of a generated city a plausible value and one leak', () => {
    const { model } = generateCity(PRESETS.small, 7);
    const sensors = simulatedSensors(model.sensors);
    expect(sensors).toHaveLength(model.sensors.length);
    expect(sensors.filter((s) => s.role === 'leak')).toHaveLength(1);
    for (const s of sensors) expect(Number.isFinite(simulatedValue(s, 1000, 360_000, 3))).toBe(true);
  });
});

describe('a generated city under simulation', () => {
  const data = tempDir('sim-generated');
  afterAll(() => data.remove());

  it('drives the generated sensors over MQTT through the simulator gateway', async () => {
    const { model } = generateCity(PRESETS.small, 3);
    const platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, buildWeb: false, log: false, simulate: true, simIntervalMs: 500,
      seed: (db) => writeModel(db, model, { mode: 'upsert', source: 'test', format: 'generator', rejected: 0, findings: 0 }).then(() => undefined),
    });
    try {
      const token = await platform.login(USERS.admin);
      const reporting = await waitFor('every generated sensor to report', async () => {
        const list = await getJson<SensorDto[]>(`${platform.url}/api/sensors`, token);
        const live = list.filter((s) => s.latest !== null);
        return live.length === model.sensors.length ? live : undefined;
      }, 30_000);
      expect(reporting.map((s) => s.id).sort()).toEqual(model.sensors.map((s) => s.id).sort());
      // The gateway speaks for the generated devices; a stranger still cannot log in.
      await expect(mqtt.connectAsync(platform.mqttUrl, { username: model.devices[0]!.id, password: 'guess', reconnectPeriod: 0 })).rejects.toThrow();
    } finally {
      await platform.stop();
    }
  });
});
