/**
 * `GET`/`HEAD /api/media/uploads/...` and `.../thumbnails/...`: the file itself or its
 * thumbnail, with the same key and live visibility as `GET /api/v1/media/{id}`. Small files are
 * answered inline (with ETag revalidation and byte ranges); larger ones (a Lambda response
 * carries at most 6 MB) from a short-lived signed storage URL. Nothing is ever served so that it
 * could run script in the API's origin.
 *
 * No key header may reach the storage host. Clients drop `Authorization` when a redirect leaves
 * the origin (Fetch standard, curl, undici, Python requests), but forward custom headers such as
 * `X-API-Key`. So only a caller whose key came in `Authorization` gets the 302; an `X-API-Key`
 * caller gets the signed URL in a JSON body (300, no `Location`), to fetch without its key.
 */
import type { Viewer } from '../../auth/permissions.ts';
import type { TableContext } from '../../db/client.ts';
import { NotFoundError, RangeNotSatisfiableError } from '../../errors.ts';
import { contentRange, isNotModified, requestedRange, strongETag } from '../../http/conditional.ts';
import { logger } from '../../logger.ts';
import { type MediaStore, sha256Hex } from '../../storage/media-store.ts';
import { type Attachment, attachmentIdOfKey } from '../model.ts';
import { findVisibleAttachment } from './read.ts';

/** Above this many bytes the file is redirected to storage (base64 of 4 MB fits in 6 MB). */
export const INLINE_LIMIT_BYTES = 4 * 1024 * 1024;
export const SIGNED_URL_SECONDS = 60;

/**
 * A file's URL never changes meaning (a new upload or thumbnail gets a new URL), so a client
 * may keep it; `private` because access depends on the key, and a day so that a revoked
 * permission is re-checked at the latest then.
 */
export const IMMUTABLE_CACHE_CONTROL = 'private, max-age=86400, immutable';

/**
 * How a file answer may be kept: per key. The answer depends on which key asked (another key
 * may not see the file), so a browser holding several keys keeps one copy per key header.
 */
const CACHE_HEADERS = {
  'cache-control': IMMUTABLE_CACHE_CONTROL,
  vary: 'authorization, x-api-key',
};

/** Types a browser could execute or render with script: always downloaded, never displayed. */
const ACTIVE_TYPES = new Set(['image/svg+xml', 'application/pdf']);

/** Headers that keep any file inert in the API's origin. */
const SAFETY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cross-origin-resource-policy': 'same-origin',
};

export function contentDisposition(attachment: Pick<Attachment, 'fileName' | 'mimeType'>): string {
  const kind = ACTIVE_TYPES.has(attachment.mimeType) ? 'attachment' : 'inline';
  const ascii = attachment.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(attachment.fileName)}`;
}

export type FileResponse =
  | { kind: 'inline'; statusCode: 200 | 206; body: Uint8Array; headers: Record<string, string> }
  | { kind: 'not_modified'; headers: Record<string, string> }
  | { kind: 'redirect'; location: string; headers: Record<string, string> }
  | { kind: 'link'; link: { url: string; expiresAt: string }; headers: Record<string, string> };

export interface ServeDeps {
  table: TableContext;
  store: MediaStore;
}

export interface FileRequest {
  /** The object key the URL names (`uploads/…` or `thumbnails/…`). */
  key: string;
  /** Request headers, lower-case names (`if-none-match`, `range`, `if-range`, `x-api-key`). */
  headers: Record<string, string | undefined>;
}

/** The key came in a header that a redirect to another origin carries along. */
const keyFollowsRedirects = (headers: FileRequest['headers']): boolean =>
  headers['x-api-key'] !== undefined;

/**
 * Storage cannot send our CSP or `nosniff`, so whatever it serves is a download, never a page
 * rendered in the storage origin.
 */
const asDownload = (disposition: string): string => disposition.replace(/^inline;/, 'attachment;');

export async function serveFile(
  deps: ServeDeps,
  viewer: Viewer,
  request: FileRequest,
): Promise<FileResponse> {
  const notFound = () => new NotFoundError('File not found.');
  const { key } = request;
  const id = attachmentIdOfKey(key);
  if (!id) throw notFound();
  const { attachment } = await findVisibleAttachment(deps.table, viewer, id);
  if (key === attachment.thumbnailKey) return serveThumbnail(deps, attachment, request);
  if (key !== attachment.storageKey) throw notFound();

  // The record's digest is the file's: revalidation needs no read from storage.
  const etag = strongETag(attachment.sha256);
  if (isNotModified(request.headers, etag)) return notModified(etag);
  const disposition = contentDisposition(attachment);
  if (attachment.fileSize > INLINE_LIMIT_BYTES) {
    const expiresAt = new Date(Date.now() + SIGNED_URL_SECONDS * 1000).toISOString();
    const url = await deps.store.signedDownloadUrl(attachment.storageKey, {
      expiresInSeconds: SIGNED_URL_SECONDS,
      contentType: attachment.mimeType,
      contentDisposition: asDownload(disposition),
    });
    // The signed URL expires within a minute: neither answer may be kept.
    const headers = { ...SAFETY_HEADERS, etag, 'cache-control': 'private, no-store' };
    if (keyFollowsRedirects(request.headers)) {
      return { kind: 'link', link: { url, expiresAt }, headers };
    }
    return { kind: 'redirect', location: url, headers };
  }
  const stored = await deps.store.get(attachment.storageKey);
  if (!stored) {
    logger.error('attachment record without its stored file', { attachmentId: attachment.id });
    throw notFound();
  }
  return inline(stored.body, etag, request, {
    'content-type': attachment.mimeType,
    'content-disposition': disposition,
  });
}

function notModified(etag: string): FileResponse {
  return { kind: 'not_modified', headers: { etag, ...CACHE_HEADERS } };
}

/** The whole body or the one range asked for. */
function inline(
  body: Uint8Array,
  etag: string,
  request: FileRequest,
  typeHeaders: { 'content-type': string; 'content-disposition': string },
): FileResponse {
  const headers = {
    ...SAFETY_HEADERS,
    ...typeHeaders,
    etag,
    'accept-ranges': 'bytes',
    ...CACHE_HEADERS,
  };
  const range = requestedRange(request.headers, body.byteLength, etag);
  if (range.kind === 'unsatisfiable') throw new RangeNotSatisfiableError(body.byteLength);
  if (range.kind === 'whole') return { kind: 'inline', statusCode: 200, body, headers };
  return {
    kind: 'inline',
    statusCode: 206,
    body: body.subarray(range.start, range.end + 1),
    headers: { ...headers, 'content-range': contentRange(range, body.byteLength) },
  };
}

/** Thumbnails are small WebP images (longest side 512 px): always inline. */
async function serveThumbnail(
  deps: ServeDeps,
  attachment: Attachment,
  request: FileRequest,
): Promise<FileResponse> {
  const stored = await deps.store.get(request.key);
  if (!stored) {
    logger.error('attachment record without its thumbnail', { attachmentId: attachment.id });
    throw new NotFoundError('File not found.');
  }
  const etag = strongETag(sha256Hex(stored.body));
  if (isNotModified(request.headers, etag)) return notModified(etag);
  const stem = attachment.fileName.replace(/\.[^.]*$/, '') || 'thumbnail';
  const thumbnail = { fileName: `${stem}-thumbnail.webp`, mimeType: 'image/webp' };
  return inline(stored.body, etag, request, {
    'content-type': thumbnail.mimeType,
    'content-disposition': contentDisposition(thumbnail),
  });
}
