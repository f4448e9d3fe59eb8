/** An attachment as stored: the record behind every media endpoint. */
import type { RemovedMetadata } from '../media/location/remove-location.ts';
import type { FileType } from '../media/types.ts';

/** Painted before the thumbnail arrives: a BlurHash and the average colour (`#rrggbb`). */
export interface Placeholder {
  blurhash: string;
  color: string;
}

export interface Attachment {
  id: string;
  workspaceId: string;
  postId: string;
  /**
   * The post's project (posts never move between projects): it puts the attachment in its
   * project's list indexes. `commitAttachment` reads it from the post when a caller leaves it
   * out; records stored before attachments carried it have none (null) and are only in the
   * post and workspace indexes.
   */
  projectId?: string | null;
  /** The user whose key uploaded it: the `author` of the API responses. */
  uploaderId: string;
  fileName: string;
  originalFileName: string;
  fileType: FileType;
  mimeType: string;
  fileSize: number;
  /** SHA-256 of the stored bytes, hex. */
  sha256: string;
  /** Object key in the bucket, `uploads/YYYY/MM/DD/<id without att_>.<ext>`. */
  storageKey: string;
  thumbnailKey: string | null;
  /** Recorded with the thumbnail (see `lib/processing/placeholder.ts`); absent until then. */
  placeholder?: Placeholder | null;
  /**
   * What was removed from the original before it was stored (location privacy); absent on
   * records stored before the removal existed, which had nothing removed.
   */
  metadataRemoved?: RemovedMetadata[] | null;
  width: number | null;
  height: number | null;
  duration: number | null;
  createdAt: number;
  legalHold: boolean;
  deletedAt: number | null;
  purgeAfter: number | null;
}

/** Every stored object of an attachment: the file and, once made, its thumbnail. */
export function blobKeysOf(attachment: Pick<Attachment, 'storageKey' | 'thumbnailKey'>): string[] {
  return attachment.thumbnailKey
    ? [attachment.storageKey, attachment.thumbnailKey]
    : [attachment.storageKey];
}

/** The URL of the file for a storage key: the API path mirrors the object key. */
export const FILE_URL_PREFIX = '/api/media/';
export const fileUrlOf = (storageKey: string): string => `${FILE_URL_PREFIX}${storageKey}`;

/** `uploads/YYYY/MM/DD/<id without att_>.<ext>` from the UTC upload date (media-api.md §2). */
export function storageKeyFor(id: string, createdAt: number, extension: string): string {
  const date = new Date(createdAt).toISOString().slice(0, 10).replaceAll('-', '/');
  return `uploads/${date}/${id.replace(/^att_/, '')}.${extension}`;
}

/**
 * `thumbnails/YYYY/MM/DD/<id without att_>-<run>.webp`, next to its file's date. `run` is new
 * for every processing run: duplicate runs never write the same object, so a run that loses
 * the race to record its thumbnail removes only what it wrote itself.
 */
export function thumbnailKeyFor(storageKey: string, run: string): string {
  const [, date, name] = STORED_FILE.exec(storageKey) ?? [];
  if (!date || !name) throw new Error(`not a storage key: ${storageKey}`);
  return `thumbnails/${date}/${name}-${run}.webp`;
}

const STORED_FILE = /^uploads\/(\d{4}\/\d{2}\/\d{2})\/([0-9a-z]{1,64})\.[0-9a-z]{1,8}$/;
const THUMBNAIL = /^thumbnails\/\d{4}\/\d{2}\/\d{2}\/([0-9a-z]{1,64})-[0-9a-z]{1,32}\.webp$/;

/**
 * The attachment an object key belongs to (its file or its thumbnail), or null for any other
 * key. Only the shape is checked: callers compare with the record's own keys.
 */
export function attachmentIdOfKey(key: string): string | null {
  const id = STORED_FILE.exec(key)?.[2] ?? THUMBNAIL.exec(key)?.[1];
  return id ? `att_${id}` : null;
}
