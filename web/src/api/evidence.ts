// Typed fetches for incident evidence (src/evidence/routes.ts): the photo or file is the raw body,
// its location stamp and note go in the query; the server checks what the bytes really are.
import type { Attachment, LocationStamp } from '../../../src/evidence/index.ts';

export type { Attachment, LocationStamp };

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    throw new Error(body && typeof body === 'object' && 'error' in body && typeof body.error === 'string' ? body.error : `${res.status} ${res.statusText}`);
  }
  return body as T;
}

const base = (incidentId: string) => `/api/incidents/${encodeURIComponent(incidentId)}/attachments`;

export const evidenceApi = {
  list: (incidentId: string) => fetch(base(incidentId), { credentials: 'same-origin' }).then((r) => answer<Attachment[]>(r)),
  upload(incidentId: string, file: File, stamp: LocationStamp | null, note?: string): Promise<Attachment> {
    const query = new URLSearchParams({ fileName: file.name || 'photo' });
    if (stamp) {
      query.set('lon', String(stamp.lon));
      query.set('lat', String(stamp.lat));
      if (stamp.accuracy !== null) query.set('accuracy', String(Math.round(stamp.accuracy * 10) / 10));
      if (stamp.takenAt) query.set('takenAt', stamp.takenAt);
    }
    if (note) query.set('note', note);
    return fetch(`${base(incidentId)}?${query}`, {
      method: 'POST', credentials: 'same-origin', headers: { 'content-type': file.type || 'application/octet-stream', accept: 'application/json' }, body: file,
    }).then((r) => answer<Attachment>(r));
  },
  originalUrl: (incidentId: string, id: string) => `${base(incidentId)}/${encodeURIComponent(id)}`,
  thumbnailUrl: (incidentId: string, id: string) => `${base(incidentId)}/${encodeURIComponent(id)}/thumbnail`,
};

/** Where the device is now, if the user allows it (within 5 s); null otherwise. */
export function currentPosition(): Promise<{ lon: number; lat: number; accuracy: number } | null> {
  if (!('geolocation' in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 5_000, maximumAge: 60_000 },
    );
  });
}
