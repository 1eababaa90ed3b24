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
import { analyseBridge } from '../analysis/bridge.ts';
import { latestRecord } from '../analysis/service.ts';
import { accelerationRecord, simulatedSensors, simulatedValue } from './simulator.ts';

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

  it('opens a drainage incident in the storm and loads the demo bridge, whose accelerometer rings at 3.0 Hz', () => {
    const sensors = simulatedSensors(DEMO_SENSORS);
    const by = (id: string) => sensors.find((s) => `${s.deviceId}.${s.channel}` === id)!;
    const cycle = 360_000;
    // drain-level-high is level 2 from 2.5 m; bridge-deflection level 2 from 50 mm (L/600 of the 30 m span).
    expect(simulatedValue(by('DL-001.level'), 0.8 * cycle, cycle, 1)).toBeGreaterThanOrEqual(2.5);
    expect(simulatedValue(by('DL-002.level'), 0.8 * cycle, cycle, 1)).toBeLessThan(2.5);
    expect(simulatedValue(by('BM-001.defl'), 0.125 * cycle, cycle, 1)).toBeGreaterThan(50);
    expect(simulatedValue(by('BM-001.strain'), 0.125 * cycle, cycle, 1)).toBeGreaterThan(300);
    expect(simulatedValue(by('BM-001.defl'), 0.5 * cycle, cycle, 1)).toBeLessThan(10);
    expect(by('BA-001.acc').role).toBe('vibration');
    // Two records 100 s apart: the check takes the latest one only.
    const end = Date.parse('2026-05-01T00:00:00Z');
    const points = [...accelerationRecord(by('BA-001.acc'), end - 100_000), ...accelerationRecord(by('BA-001.acc'), end)];
    const record = latestRecord(points)!;
    expect(record.points).toHaveLength(64);
    expect(record.stepMs).toBe(50);
    const [frequency] = analyseBridge({ spanId: 'BS-01', acceleration: { sensorId: 'BA-001.acc', samples: record.points.map((p) => p.value), sampleRateHz: 1000 / record.stepMs, baselineHz: 3.2 } });
    expect(frequency!.verdict).toBe('frequency_drift');
    expect((frequency!.detail as { frequencyHz: number }).frequencyHz).toBeCloseTo(3.0, 1);
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
