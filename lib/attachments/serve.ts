/**
 * `GET /api/media/uploads/...`: the file itself, with the same key and live visibility as
 * `GET /api/v1/media/{id}`. Small files are answered inline; larger ones (a Lambda response
 * carries at most 6 MB) with a redirect to a short-lived signed storage URL. Nothing is ever
 * served so that it could run script in the API's origin.
 */
import type { Viewer } from '../auth/permissions.ts';
import type { TableContext } from '../db/client.ts';
import { NotFoundError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { MediaStore } from '../storage/media-store.ts';
import type { Attachment } from './model.ts';
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

const UPLOAD_PATH = /^uploads\/\d{4}\/\d{2}\/\d{2}\/([0-9a-z]{1,64})\.[0-9a-z]{1,8}$/;

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
  storageKey: string,
): Promise<FileResponse> {
  const notFound = () => new NotFoundError('File not found.');
  const match = UPLOAD_PATH.exec(storageKey);
  if (!match) throw notFound();
  const { attachment } = await findVisibleAttachment(deps.table, viewer, `att_${match[1]}`);
  if (attachment.storageKey !== storageKey) throw notFound();

  const disposition = contentDisposition(attachment);
  if (attachment.fileSize > INLINE_LIMIT_BYTES) {
    const location = await deps.store.signedDownloadUrl(storageKey, {
      expiresInSeconds: SIGNED_URL_SECONDS,
      contentType: attachment.mimeType,
      contentDisposition: disposition,
    });
    return { kind: 'redirect', location, headers: { ...SAFETY_HEADERS } };
  }
  const stored = await deps.store.get(storageKey);
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
