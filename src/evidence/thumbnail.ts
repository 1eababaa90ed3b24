// Server-side thumbnails in pure JavaScript (jpeg-js, pngjs: no native binary to download):
// decode, average boxes down to at most THUMBNAIL_EDGE pixels on the long side over white, encode
// as JPEG, turned upright by the photo's EXIF orientation (phones store pictures sideways and say
// so). WebP has no pure-JS decoder here, so a WebP photo has no thumbnail and its original is
// shown scaled by the browser; PDFs have none either.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MAX_IMAGE_PIXELS, type MediaType } from './media.ts';

export const THUMBNAIL_EDGE = 320;

export class ImageError extends Error {}

interface Rgba { width: number; height: number; data: Uint8Array }

function decode(bytes: Buffer, type: MediaType): Rgba | null {
  if (type === 'image/png') {
    // Width and height from the IHDR chunk before anything is inflated.
    const width = bytes.readUInt32BE(16);
    const height = bytes.readUInt32BE(20);
    if (width * height > MAX_IMAGE_PIXELS) throw new ImageError(`the image is ${width}×${height}: more than ${MAX_IMAGE_PIXELS / 1e6} megapixels`);
    try {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, data: png.data };
    } catch (error) {
      throw new ImageError(`not a readable PNG: ${(error as Error).message}`);
    }
  }
  if (type === 'image/jpeg') {
    try {
      return jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
    } catch (error) {
      throw new ImageError(`not a readable JPEG: ${(error as Error).message}`);
    }
  }
  return null;
}

/** Box-averages an RGBA image to fit `edge` (never enlarges), composited over white. */
export function downscale(image: Rgba, edge = THUMBNAIL_EDGE): Rgba {
  const scale = Math.min(1, edge / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * image.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * image.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * image.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * image.width) / width));
      let r = 0, g = 0, b = 0, n = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let sx = x0; sx < x1; sx++) {
          const i = (sy * image.width + sx) * 4;
          const alpha = image.data[i + 3]! / 255;
          r += image.data[i]! * alpha + 255 * (1 - alpha);
          g += image.data[i + 1]! * alpha + 255 * (1 - alpha);
          b += image.data[i + 2]! * alpha + 255 * (1 - alpha);
          n++;
        }
      }
      const o = (y * width + x) * 4;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** The EXIF orientation (1–8) of a JPEG, 1 when it names none: IFD0's tag 0x0112 in the APP1 Exif segment. */
export function jpegOrientation(bytes: Buffer): number {
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    const length = bytes.readUInt16BE(at + 2);
    if (marker === 0xda || marker === 0xd9) break; // image data: no more metadata
    if (marker === 0xe1 && bytes.toString('latin1', at + 4, at + 10) === 'Exif\0\0') {
      const tiff = at + 10;
      if (tiff + 8 > bytes.length) return 1;
      const little = bytes.toString('latin1', tiff, tiff + 2) === 'II';
      const u16 = (o: number) => (little ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
      const u32 = (o: number) => (little ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
      const ifd = tiff + u32(tiff + 4);
      if (ifd + 2 > bytes.length) return 1;
      for (let i = 0, n = u16(ifd); i < n && ifd + 2 + (i + 1) * 12 <= bytes.length; i++) {
        const entry = ifd + 2 + i * 12;
        if (u16(entry) === 0x0112) {
          const value = u16(entry + 8);
          return value >= 1 && value <= 8 ? value : 1;
        }
      }
      return 1;
    }
    at += 2 + length;
  }
  return 1;
}

/** The image as it should be seen, for an EXIF orientation (1 upright … 6 turned 90° clockwise … 8 turned 90° anticlockwise). */
export function orient(image: Rgba, orientation: number): Rgba {
  if (orientation <= 1 || orientation > 8) return image;
  const { width: w, height: h } = image;
  const swap = orientation >= 5;
  const width = swap ? h : w;
  const height = swap ? w : h;
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = ({
        2: [w - 1 - x, y], 3: [w - 1 - x, h - 1 - y], 4: [x, h - 1 - y], 5: [y, x],
        6: [y, h - 1 - x], 7: [w - 1 - y, h - 1 - x], 8: [w - 1 - y, x],
      } as Record<number, [number, number]>)[orientation]!;
      out.set(image.data.subarray((sy * w + sx) * 4, (sy * w + sx) * 4 + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data: out };
}

/**
 * A JPEG thumbnail of an image upload; null for types without one (WebP, PDF). Throws ImageError
 * when the bytes carry an image signature but do not decode: such an upload is refused.
 */
export function thumbnail(bytes: Buffer, type: MediaType): { bytes: Buffer; width: number; height: number } | null {
  const image = decode(bytes, type);
  if (!image) return null;
  const small = orient(downscale(image), type === 'image/jpeg' ? jpegOrientation(bytes) : 1);
  const encoded = jpeg.encode({ width: small.width, height: small.height, data: Buffer.from(small.data) }, 75);
  return { bytes: Buffer.from(encoded.data), width: small.width, height: small.height };
}
