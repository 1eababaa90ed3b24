import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffMediaType, uploadRefusal } from './media.ts';
import { DiskAttachmentStore } from './store.ts';
import { downscale } from './thumbnail.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('what an upload is, by its first bytes', () => {
  it('knows JPEG, PNG, WebP and PDF and nothing else', () => {
    expect(sniffMediaType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(sniffMediaType(bytes(...PNG_SIGNATURE, 0))).toBe('image/png');
    expect(sniffMediaType(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffMediaType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniffMediaType(Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt ', 'latin1'))).toBeNull();
    expect(sniffMediaType(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffMediaType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffMediaType(bytes(0x89, 0x50))).toBeNull();
  });

  it('refuses empty, too large, unknown and mislabelled uploads with the reason', () => {
    const png = bytes(...PNG_SIGNATURE, 1, 2, 3);
    expect(uploadRefusal(png, 'image/png')).toBeNull();
    expect(uploadRefusal(png, 'application/octet-stream')).toBeNull();
    expect(uploadRefusal(png, undefined)).toBeNull();
    expect(uploadRefusal(png, 'image/png; charset=binary')).toBeNull();
    expect(uploadRefusal(bytes(0xff, 0xd8, 0xff), 'image/jpg')).toBeNull();
    expect(uploadRefusal(bytes(), 'image/png')).toEqual({ status: 400, reason: 'the upload is empty' });
    expect(uploadRefusal(png, 'image/png', 10)).toEqual({ status: 413, reason: 'the file is 11 bytes; the limit is 10 bytes' });
    expect(uploadRefusal(png, 'application/pdf')).toEqual({ status: 415, reason: 'declared application/pdf but the content is image/png' });
    expect(uploadRefusal(Buffer.from('MZ\x90\x00'), 'image/png')?.status).toBe(415);
  });
});

describe('thumbnail downscaling', () => {
  it('averages boxes (hand-computed) and composites transparency over white', () => {
    // 4×2 → edge 2 → 2×1: left box (10,20,30)×2 and (30,40,50)×2 → (20,30,40); right box transparent → white.
    const data = Uint8Array.from([
      10, 20, 30, 255, 30, 40, 50, 255, 0, 0, 0, 0, 0, 0, 0, 0,
      10, 20, 30, 255, 30, 40, 50, 255, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    const small = downscale({ width: 4, height: 2, data }, 2);
    expect([small.width, small.height]).toEqual([2, 1]);
    expect([...small.data]).toEqual([20, 30, 40, 255, 255, 255, 255, 255]);
  });

  it('never enlarges', () => {
    const small = downscale({ width: 2, height: 1, data: Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 255]) }, 320);
    expect([small.width, small.height, ...small.data]).toEqual([2, 1, 1, 2, 3, 255, 4, 5, 6, 255]);
  });
});

describe('the disk store', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'lifeline-evidence-store-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const store = new DiskAttachmentStore(root);

  it('puts, gets and deletes by key, leaving no partial file', async () => {
    await store.put('incidents/1/a', Buffer.from('photo'));
    expect((await store.get('incidents/1/a'))?.toString()).toBe('photo');
    expect(readdirSync(path.join(root, 'incidents', '1'))).toEqual(['a']);
    await store.delete('incidents/1/a');
    expect(await store.get('incidents/1/a')).toBeUndefined();
  });

  it('refuses keys that would leave its folder', async () => {
    for (const key of ['../x', 'incidents/../../x', '/etc/passwd', 'incidents//x', 'Incidents/x']) {
      await expect(store.put(key, Buffer.from('x')), key).rejects.toThrow(/not a plain relative path/);
    }
  });
});
