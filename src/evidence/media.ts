// What an uploaded file really is, from its first bytes (the declared type is only a claim), and
// the limits uploads are held to.

export type MediaType = 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf';
export const ALLOWED_MEDIA_TYPES: readonly MediaType[] = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'];
/** 10 MiB: a phone photo at full resolution, or a scanned page. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Decoding a larger image for its thumbnail would take too much memory (a decompression bomb). */
export const MAX_IMAGE_PIXELS = 50_000_000;

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

/** The media type the bytes are, by their magic number; null when none we accept. */
export function sniffMediaType(bytes: Uint8Array): MediaType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  return null;
}

export function isImage(type: MediaType): boolean {
  return type.startsWith('image/');
}

/**
 * Why an upload is refused (null: accepted): empty, too large, not a type we accept, or declared
 * as one type while its bytes are another. `declared` is the request's Content-Type (parameters
 * dropped); application/octet-stream declares nothing.
 */
export function uploadRefusal(bytes: Uint8Array, declared: string | undefined, maxBytes = MAX_ATTACHMENT_BYTES): { status: 400 | 413 | 415; reason: string } | null {
  if (bytes.length === 0) return { status: 400, reason: 'the upload is empty' };
  if (bytes.length > maxBytes) return { status: 413, reason: `the file is ${bytes.length} bytes; the limit is ${maxBytes} bytes` };
  const actual = sniffMediaType(bytes);
  const claimed = declared?.split(';')[0]?.trim().toLowerCase() || 'application/octet-stream';
  if (!actual) {
    return { status: 415, reason: `the content is not one of ${ALLOWED_MEDIA_TYPES.join(', ')} (checked by its first bytes; declared ${claimed})` };
  }
  if (claimed !== 'application/octet-stream' && claimed !== actual && !(claimed === 'image/jpg' && actual === 'image/jpeg')) {
    return { status: 415, reason: `declared ${claimed} but the content is ${actual}` };
  }
  return null;
}
