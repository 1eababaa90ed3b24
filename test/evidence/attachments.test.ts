// Evidence over the HTTP API of a running platform (accounts on): a dispatcher of the assigned
// owner unit uploads a photo with a location stamp, gets its thumbnail and the original back, and
// disposes citing it (the audit row records the photo's SHA-256); oversized, wrong-type and
// mislabelled uploads are refused with the reason and store nothing; another unit's dispatcher
// gets 404 for the incident's attachments as for a missing incident.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDto } from '../../src/api/dto.ts';
import type { Attachment } from '../../src/evidence/index.ts';
import { MAX_ATTACHMENT_BYTES } from '../../src/evidence/index.ts';
import { startPlatform, type Platform } from '../../src/platform/index.ts';
import { api, USERS, type ApiClient } from '../support/api.ts';
import { tempDir, topicPrefix } from '../support/tmp.ts';

/** A 640×480 PNG: red left half, blue right half. */
function photo(): Buffer {
  const png = new PNG({ width: 640, height: 480 });
  for (let y = 0; y < 480; y++) {
    for (let x = 0; x < 640; x++) {
      const i = (y * 640 + x) * 4;
      png.data[i] = x < 320 ? 255 : 0;
      png.data[i + 1] = 0;
      png.data[i + 2] = x < 320 ? 0 : 255;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

describe('incident evidence over the API', () => {
  const data = tempDir('evidence');
  let platform: Platform;
  let operator: ApiClient;
  let gas: ApiClient;
  let water: ApiClient;
  let incident: IncidentDto;
  const image = photo();

  const upload = async (client: ApiClient, id: string, bytes: Buffer, type: string | null, query = '') => {
    const response = await fetch(`${platform.url}/api/incidents/${id}/attachments${query}`, {
      method: 'POST', headers: { ...client.headers, ...(type ? { 'content-type': type } : {}) }, body: new Uint8Array(bytes),
    });
    return { status: response.status, body: (await response.json()) as Attachment & { error?: string } };
  };
  const stored = () => readdirSync(path.join(data.dir, 'evidence', 'incidents', incident.id), { recursive: true }).length;

  beforeAll(async () => {
    platform = await startPlatform({
      port: 0, mqttPort: 0, host: '127.0.0.1', dataDir: data.dir, topicPrefix: topicPrefix('evidence'), simulate: false, buildWeb: false, log: false, auth: 'required',
    });
    [operator, gas, water] = await Promise.all([api(platform, USERS.operator), api(platform, USERS.gas), api(platform, USERS.water)]);
    incident = (await operator.post<IncidentDto>('/api/incidents', { description: '通信井燃气异味', assetId: 'AS-01', level: 2 })).body;
    for (const action of ['verify', 'dispatch'] as const) expect((await operator.post(`/api/incidents/${incident.id}/transitions`, { action })).status).toBe(200);
    for (const action of ['accept', 'arrive'] as const) expect((await gas.post(`/api/incidents/${incident.id}/transitions`, { action })).status).toBe(200);
  });
  afterAll(async () => {
    await platform?.stop();
    data.remove();
  }, 20_000);

  let attachment: Attachment;

  it('stores a photo with its SHA-256 and location stamp, and serves it and a thumbnail', async () => {
    const { status, body } = await upload(gas, incident.id, image, 'image/png',
      '?fileName=%E7%8E%B0%E5%9C%BA.png&lon=112.2395&lat=30.3365&accuracy=8&takenAt=2026-11-23T08:00:00Z&note=%E9%98%80%E9%97%A8%E5%B7%B2%E5%85%B3');
    expect(status, JSON.stringify(body)).toBe(201);
    attachment = body;
    expect(attachment).toMatchObject({
      incidentId: incident.id, fileName: '现场.png', mediaType: 'image/png', size: image.length,
      sha256: createHash('sha256').update(image).digest('hex'), hasThumbnail: true, uploadedBy: USERS.gas, uploaderOrg: 'gas-co',
      location: { lon: 112.2395, lat: 30.3365, accuracy: 8, takenAt: '2026-11-23T08:00:00.000Z' }, note: '阀门已关', disposalSeq: null,
    });

    const original = await fetch(`${platform.url}/api/incidents/${incident.id}/attachments/${attachment.id}`, { headers: gas.headers });
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(original.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await original.arrayBuffer()).equals(image)).toBe(true);

    const thumb = await fetch(`${platform.url}/api/incidents/${incident.id}/attachments/${attachment.id}/thumbnail`, { headers: operator.headers });
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const decoded = jpeg.decode(Buffer.from(await thumb.arrayBuffer()), { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([320, 240]);
    // Red stays red on the left, blue on the right (JPEG is lossy: within a margin).
    const px = (x: number, y: number) => [...decoded.data.slice((y * 320 + x) * 4, (y * 320 + x) * 4 + 3)];
    expect(px(40, 120)[0]).toBeGreaterThan(230);
    expect(px(280, 120)[2]).toBeGreaterThan(230);

    expect((await operator.get<Attachment[]>(`/api/incidents/${incident.id}/attachments`)).map((a) => a.id)).toEqual([attachment.id]);
  });

  it('refuses oversized, wrong-type and mislabelled uploads with the reason, storing nothing', async () => {
    const before = stored();
    const oversized = Buffer.concat([image, Buffer.alloc(MAX_ATTACHMENT_BYTES + 1 - image.length)]);
    const big = await upload(gas, incident.id, oversized, 'image/png');
    expect(big.status).toBe(413);
    expect(big.body.error).toMatch(/larger than the limit of 10485760 bytes/);

    const text = await upload(gas, incident.id, Buffer.from('#!/bin/sh\nrm -rf /\n'), 'image/png');
    expect(text.status).toBe(415);
    expect(text.body.error).toMatch(/not one of image\/jpeg, image\/png, image\/webp, application\/pdf.*declared image\/png/);

    const mislabelled = await upload(gas, incident.id, image, 'image/jpeg');
    expect(mislabelled).toMatchObject({ status: 415, body: { error: 'declared image/jpeg but the content is image/png' } });

    const truncated = await upload(gas, incident.id, image.subarray(0, 100), 'image/png');
    expect(truncated.status).toBe(415);
    expect(truncated.body.error).toMatch(/not a readable PNG/);

    const empty = await upload(gas, incident.id, Buffer.alloc(0), 'image/png');
    expect(empty.status).toBe(400);

    const badStamp = await upload(gas, incident.id, image, 'image/png', '?lon=112.2');
    expect(badStamp.status).toBe(400);
    expect(badStamp.body.error).toMatch(/lon: give both lon and lat/);

    expect(stored()).toBe(before);
    expect((await operator.get<Attachment[]>(`/api/incidents/${incident.id}/attachments`)).length).toBe(1);
  });

  it('answers another unit 404 for the incident\'s attachments, as for a missing incident', async () => {
    const refused = await upload(water, incident.id, image, 'image/png');
    expect(refused).toMatchObject({ status: 404, body: { error: `incident ${incident.id} does not exist` } });
    expect((await water.request('GET', `/api/incidents/${incident.id}/attachments`)).status).toBe(404);
    expect((await water.request('GET', `/api/incidents/${incident.id}/attachments/${attachment.id}`)).status).toBe(404);
    expect((await water.request('GET', `/api/incidents/${incident.id}/attachments/${attachment.id}/thumbnail`)).status).toBe(404);
    expect((await gas.request('GET', `/api/incidents/${incident.id}/attachments/999999`)).status).toBe(404);
  });

  it('cites the photo in the disposal: the audit chain records its SHA-256', async () => {
    const other = (await operator.post<IncidentDto>('/api/incidents', { description: '另一处异味', assetId: 'AS-02', level: 3 })).body;
    const foreign = await upload(operator, other.id, image, 'image/png');
    expect(foreign.status).toBe(201);
    const wrong = await gas.post<{ error: string }>(`/api/incidents/${incident.id}/transitions`, { action: 'dispose', note: '已处置', attachmentIds: [foreign.body.id] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatch(new RegExp(`attachment ${foreign.body.id} is not one of incident ${incident.id}'s`));
    const notDispose = await operator.post<{ error: string }>(`/api/incidents/${other.id}/transitions`, { action: 'verify', attachmentIds: [foreign.body.id] });
    expect(notDispose.status).toBe(400);

    const disposed = await gas.post<IncidentDto>(`/api/incidents/${incident.id}/transitions`, {
      action: 'dispose', note: '关闭上游阀门，复测 0 %LEL', location: { lon: 112.2395, lat: 30.3365 }, attachmentIds: [attachment.id],
    });
    expect(disposed.status).toBe(200);
    expect(disposed.body.state).toBe('disposed');
    const last = disposed.body.events.at(-1)!;
    expect(last.action).toBe('dispose');
    expect(last.payload.attachments).toEqual([{
      id: attachment.id, sha256: attachment.sha256, mediaType: 'image/png', size: image.length, fileName: '现场.png',
      location: { lon: 112.2395, lat: 30.3365, accuracy: 8, takenAt: '2026-11-23T08:00:00.000Z' },
    }]);
    const audit = await operator.get<{ verification: { ok: boolean } }>(`/api/incidents/${incident.id}/audit`);
    expect(audit.verification.ok).toBe(true);
    const [cited] = await operator.get<Attachment[]>(`/api/incidents/${incident.id}/attachments`);
    expect(cited!.disposalSeq).toBe(last.seq);
  });

  it('refuses evidence for a closed incident', async () => {
    expect((await operator.post(`/api/incidents/${incident.id}/transitions`, { action: 'close' })).status).toBe(200);
    const late = await upload(gas, incident.id, image, 'image/png');
    expect(late.status).toBe(409);
    expect(late.body.error).toMatch(/is closed/);
  });
});
