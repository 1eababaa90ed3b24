// Topic scheme: `<prefix>/devices/<deviceId>/up` carries one device's uplink,
// `<prefix>/gateways/<gatewayId>/up` a gateway's batch for many devices.
export type SenderKind = 'device' | 'gateway';

export function uplinkTopic(prefix: string, deviceId: string): string {
  return `${prefix}/devices/${deviceId}/up`;
}

export function gatewayUplinkTopic(prefix: string, gatewayId: string): string {
  return `${prefix}/gateways/${gatewayId}/up`;
}

export function uplinkSubscriptions(prefix: string): string[] {
  return [`${prefix}/devices/+/up`, `${prefix}/gateways/+/up`];
}

/** Who an uplink topic under `prefix` belongs to, or null when the topic is not an uplink. */
export function parseUplinkTopic(prefix: string, topic: string): { kind: SenderKind; id: string } | null {
  if (!topic.startsWith(`${prefix}/`) || !topic.endsWith('/up')) return null;
  const [collection, id, ...rest] = topic.slice(prefix.length + 1, -'/up'.length).split('/');
  if (rest.length > 0 || !id) return null;
  if (collection === 'devices') return { kind: 'device', id };
  if (collection === 'gateways') return { kind: 'gateway', id };
  return null;
}
