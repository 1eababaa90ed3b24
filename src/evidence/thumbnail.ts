// Server-side thumbnails in pure JavaScript (jpeg-js, pngjs: no native binary to download):
// decode, average boxes down to at most THUMBNAIL_EDGE pixels on the long side over white, encode
// as JPEG. WebP has no pure-JS decoder here, so a WebP photo has no thumbnail and its original is
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

/**
 * A JPEG thumbnail of an image upload; null for types without one (WebP, PDF). Throws ImageError
 * when the bytes carry an image signature but do not decode: such an upload is refused.
 */
export function thumbnail(bytes: Buffer, type: MediaType): { bytes: Buffer; width: number; height: number } | null {
  const image = decode(bytes, type);
  if (!image) return null;
  const small = downscale(image);
  const encoded = jpeg.encode({ width: small.width, height: small.height, data: Buffer.from(small.data) }, 75);
  return { bytes: Buffer.from(encoded.data), width: small.width, height: small.height };
}
