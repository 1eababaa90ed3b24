// Topic scheme: `<prefix>/devices/<deviceId>/up` carries one device's uplink.
export function uplinkTopic(prefix: string, deviceId: string): string {
  return `${prefix}/devices/${deviceId}/up`;
}

export function uplinkSubscription(prefix: string): string {
  return `${prefix}/devices/+/up`;
}

/** The device id of an uplink topic under `prefix`, or null when the topic is not one. */
export function deviceOfTopic(prefix: string, topic: string): string | null {
  const head = `${prefix}/devices/`;
  if (!topic.startsWith(head) || !topic.endsWith('/up')) return null;
  const deviceId = topic.slice(head.length, -'/up'.length);
  return deviceId.length > 0 && !deviceId.includes('/') ? deviceId : null;
}
