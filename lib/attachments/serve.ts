/**
 * `GET /api/media/uploads/...` and `GET /api/media/thumbnails/...`: the file itself or its
 * thumbnail, with the same key and live visibility as `GET /api/v1/media/{id}`. Small files are
 * answered inline; larger ones (a Lambda response carries at most 6 MB) with a redirect to a
 * short-lived signed storage URL. Nothing is ever served so that it could run script in the
 * API's origin.
 */
import type { Viewer } from '../auth/permissions.ts';
import type { TableContext } from '../db/client.ts';
import { NotFoundError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { MediaStore } from '../storage/media-store.ts';
import { type Attachment, attachmentIdOfKey } from './model.ts';
import { findVisibleAttachment } from './read.ts';

/** Above this many bytes the file is redirected to storage (base64 of 4 MB fits in 6 MB). */
export const INLINE_LIMIT_BYTES = 4 * 1024 * 1024;
export const SIGNED_URL_SECONDS = 60;

/** Types a browser could execute or render with script: always downloaded, never displayed. */
const ACTIVE_TYPES = new Set(['image/svg+xml', 'application/pdf']);

/** Headers that keep any file inert in the API's origin. */
const SAFETY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'private, no-store',
};

export function contentDisposition(attachment: Pick<Attachment, 'fileName' | 'mimeType'>): string {
  const kind = ACTIVE_TYPES.has(attachment.mimeType) ? 'attachment' : 'inline';
  const ascii = attachment.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(attachment.fileName)}`;
}

export type FileResponse =
  | { kind: 'inline'; body: Uint8Array; headers: Record<string, string> }
  | { kind: 'redirect'; location: string; headers: Record<string, string> };

export interface ServeDeps {
  table: TableContext;
  store: MediaStore;
}

export async function serveFile(
  deps: ServeDeps,
  viewer: Viewer,
  key: string,
): Promise<FileResponse> {
  const notFound = () => new NotFoundError('File not found.');
  const id = attachmentIdOfKey(key);
  if (!id) throw notFound();
  const { attachment } = await findVisibleAttachment(deps.table, viewer, id);
  if (key === attachment.thumbnailKey) return serveThumbnail(deps, attachment, key);
  if (key !== attachment.storageKey) throw notFound();

  const disposition = contentDisposition(attachment);
  if (attachment.fileSize > INLINE_LIMIT_BYTES) {
    const location = await deps.store.signedDownloadUrl(attachment.storageKey, {
      expiresInSeconds: SIGNED_URL_SECONDS,
      contentType: attachment.mimeType,
      contentDisposition: disposition,
    });
    return { kind: 'redirect', location, headers: { ...SAFETY_HEADERS } };
  }
  const stored = await deps.store.get(attachment.storageKey);
  if (!stored) {
    logger.error('attachment record without its stored file', { attachmentId: attachment.id });
    throw notFound();
  }
  return {
    kind: 'inline',
    body: stored.body,
    headers: {
      ...SAFETY_HEADERS,
      'content-type': attachment.mimeType,
      'content-disposition': disposition,
    },
  };
}

/** Thumbnails are small WebP images (longest side 512 px): always inline. */
async function serveThumbnail(
  deps: ServeDeps,
  attachment: Attachment,
  key: string,
): Promise<FileResponse> {
  const stored = await deps.store.get(key);
  if (!stored) {
    logger.error('attachment record without its thumbnail', { attachmentId: attachment.id });
    throw new NotFoundError('File not found.');
  }
  const stem = attachment.fileName.replace(/\.[^.]*$/, '') || 'thumbnail';
  const thumbnail = { fileName: `${stem}-thumbnail.webp`, mimeType: 'image/webp' };
  return {
    kind: 'inline',
    body: stored.body,
    headers: {
      ...SAFETY_HEADERS,
      'content-type': thumbnail.mimeType,
      'content-disposition': contentDisposition(thumbnail),
    },
  };
}
