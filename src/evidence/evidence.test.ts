import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffMediaType, uploadRefusal } from './media.ts';
import { DiskAttachmentStore } from './store.ts';
import jpeg from 'jpeg-js';
import { downscale, jpegOrientation, orient, thumbnail } from './thumbnail.ts';

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

/** A JPEG of `width`×`height` (left half red, right half blue) with an EXIF orientation tag in a big-endian APP1 segment. */
function orientedJpeg(width: number, height: number, orientation: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set((i % width) < width / 2 ? [255, 0, 0, 255] : [0, 0, 255, 255], i * 4);
  const plain = Buffer.from(jpeg.encode({ width, height, data }, 95).data);
  const tiff = Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  return Buffer.concat([plain.subarray(0, 2), app1, plain.subarray(2)]);
}

describe('EXIF orientation', () => {
  it('reads the orientation tag, 1 when there is none', () => {
    expect(jpegOrientation(orientedJpeg(8, 4, 6))).toBe(6);
    expect(jpegOrientation(orientedJpeg(8, 4, 3))).toBe(3);
    expect(jpegOrientation(Buffer.from(jpeg.encode({ width: 2, height: 2, data: Buffer.alloc(16, 255) }, 90).data))).toBe(1);
  });

  it('turns pixels as each orientation says (a 2×1 image: a, b)', () => {
    const image = { width: 2, height: 1, data: Uint8Array.from([1, 1, 1, 255, 2, 2, 2, 255]) };
    const pixels = (o: number) => {
      const r = orient(image, o);
      return [r.width, r.height, ...[...r.data].filter((_, i) => i % 4 === 0)];
    };
    expect(pixels(1)).toEqual([2, 1, 1, 2]);
    expect(pixels(2)).toEqual([2, 1, 2, 1]);
    expect(pixels(3)).toEqual([2, 1, 2, 1]);
    expect(pixels(6)).toEqual([1, 2, 1, 2]); // turned clockwise: a on top
    expect(pixels(8)).toEqual([1, 2, 2, 1]); // turned anticlockwise: b on top
  });

  it('makes an upright thumbnail of a photo stored sideways', () => {
    // Stored 64×32, left red and right blue, orientation 6: seen 32×64, red on top, blue below.
    const thumb = thumbnail(orientedJpeg(64, 32, 6), 'image/jpeg')!;
    expect([thumb.width, thumb.height]).toEqual([32, 64]);
    const seen = jpeg.decode(thumb.bytes, { useTArray: true });
    const at = (x: number, y: number) => [...seen.data.slice((y * 32 + x) * 4, (y * 32 + x) * 4 + 3)];
    expect(at(16, 8)[0]).toBeGreaterThan(200);
    expect(at(16, 56)[2]).toBeGreaterThan(200);
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
