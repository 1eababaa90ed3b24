import { ConfigError } from '../config/index.ts';

/**
 * DEVICE_AUTH=required (default): devices and gateways log in with their credentials on the
 * embedded broker and over HTTP, and gateways report only for their registered devices.
 * DEVICE_AUTH=off: anyone may report for any device (a lab, or a broker that already checks).
 */
export type DeviceAuthMode = 'required' | 'off';

export function readDeviceAuth(env: Record<string, string | undefined> = process.env): DeviceAuthMode {
  const raw = env.DEVICE_AUTH;
  if (raw === undefined || raw === '' || raw === 'required') return 'required';
  if (raw === 'off') return 'off';
  throw new ConfigError(`DEVICE_AUTH=${raw}: expected required or off`);
}
