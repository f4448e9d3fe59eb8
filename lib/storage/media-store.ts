/**
 * Where blobs live. The domain talks to the `MediaStore` interface only (`configured-store.ts`
 * picks the implementation). Two implementations share one contract test suite
 * (`test/support/media-store-contract.ts`):
 *
 * - `S3MediaStore` (`MEDIA_STORAGE_MODE=aws`): a bucket versioned with Object Lock (AWS S3, a
 *   Ceph gateway).
 *   A soft delete adds a delete marker, a restore removes it, a legal hold is an Object Lock
 *   legal hold on the object's version(s), and the purge is S3 lifecycle's
 *   `NoncurrentVersionExpiration` (which never removes a held version).
 * - `PortableMediaStore` (`MEDIA_STORAGE_MODE=portable`): any S3-compatible store without
 *   versioning or Object Lock (R2, the local S3 server). A soft delete moves the object under `trash/`, a legal hold is
 *   a marker object under `legal-holds/`, and the purge sweep removes trashed objects, never
 *   one with a hold marker.
 *
 * Either way the observable behaviour is the same: a soft-deleted file is not served, stays
 * restorable until purged, and a held file is never removed.
 */
import { createHash } from 'node:crypto';

export interface StoredObject {
  body: Uint8Array;
  contentType: string | undefined;
}

export interface ListedObject {
  key: string;
  lastModified: Date;
}

/** `missing`: nothing is left to restore (purged, or never stored). */
export type RestoreOutcome = 'restored' | 'missing';

/**
 * `purged`: removed now. `held`: under legal hold, left alone. `absent`: nothing soft-deleted
 * under that key. `deferred`: the storage purges by itself (S3 lifecycle), nothing was done.
 */
export type PurgeOutcome = 'purged' | 'held' | 'absent' | 'deferred';

export interface MediaStore {
  /** Stores bytes with their content type; S3 verifies the SHA-256 on arrival. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The live object, or null (a soft-deleted object is not returned). */
  get(key: string): Promise<StoredObject | null>;
  /** Removes the blob of an upload whose record was never committed. */
  remove(key: string): Promise<void>;
  /** A short-lived URL that downloads the object with the given response headers. */
  signedDownloadUrl(
    key: string,
    options: { expiresInSeconds: number; contentType: string; contentDisposition: string },
  ): Promise<string>;

  /** True when a live (not soft-deleted) object is stored under `key`. */
  exists(key: string): Promise<boolean>;
  /** The live objects under `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ListedObject>;
  /**
   * Takes the object out of service but keeps it restorable until it is purged. Idempotent;
   * does nothing when no live object is stored under `key`. Legal holds are kept.
   */
  softDelete(key: string): Promise<void>;
  /** Brings a soft-deleted object back under `key`, as it was. Idempotent. */
  restore(key: string): Promise<RestoreOutcome>;
  /**
   * Places or lifts the legal hold on what is stored under `key`, live or soft-deleted. False
   * when nothing is stored under `key` (then nothing is held; lifting still clears any hold).
   */
  setLegalHold(key: string, on: boolean): Promise<boolean>;
  /** True when what is stored under `key` (live or soft-deleted) is under legal hold. */
  isLegallyHeld(key: string): Promise<boolean>;
  /** Removes a soft-deleted object for good, unless it is held. Never touches a live object. */
  purge(key: string): Promise<PurgeOutcome>;
}

export const sha256Hex = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');
