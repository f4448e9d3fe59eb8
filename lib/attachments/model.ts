/** An attachment as stored: the record behind every media endpoint. */
import type { FileType } from '../media/types.ts';

export interface Attachment {
  id: string;
  workspaceId: string;
  postId: string;
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
  width: number | null;
  height: number | null;
  duration: number | null;
  createdAt: number;
  legalHold: boolean;
  deletedAt: number | null;
  purgeAfter: number | null;
}

/** The URL of the file for a storage key: the API path mirrors the object key. */
export const FILE_URL_PREFIX = '/api/media/';
export const fileUrlOf = (storageKey: string): string => `${FILE_URL_PREFIX}${storageKey}`;

/** `uploads/YYYY/MM/DD/<id without att_>.<ext>` from the UTC upload date (media-api.md §2). */
export function storageKeyFor(id: string, createdAt: number, extension: string): string {
  const date = new Date(createdAt).toISOString().slice(0, 10).replaceAll('-', '/');
  return `uploads/${date}/${id.replace(/^att_/, '')}.${extension}`;
}
