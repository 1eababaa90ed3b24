export { DiskAttachmentStore } from './store.ts';
export type { AttachmentStore } from './store.ts';
export { ALLOWED_MEDIA_TYPES, isImage, MAX_ATTACHMENT_BYTES, sniffMediaType, uploadRefusal } from './media.ts';
export type { MediaType } from './media.ts';
export { downscale, ImageError, jpegOrientation, orient, thumbnail, THUMBNAIL_EDGE } from './thumbnail.ts';
export { citeAttachments, EvidenceError, findAttachment, listAttachments, markCited, saveAttachment } from './repository.ts';
export type { Attachment, CitedAttachment, LocationStamp, NewAttachment } from './repository.ts';
export { registerEvidenceRoutes } from './routes.ts';
export type { EvidenceRoutesOptions } from './routes.ts';
