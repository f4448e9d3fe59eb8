/**
 * The deployed store: a versioned S3 bucket with Object Lock enabled (no default retention).
 *
 * - Soft delete: `DeleteObject` without a version id adds a delete marker; the bytes become a
 *   noncurrent version that lifecycle expires `gracePeriodDays` after the deletion.
 * - Restore: deleting the delete marker(s) (`DeleteObject` with the marker's `VersionId`)
 *   makes the retained version current again: same key, same bytes, same metadata.
 * - Legal hold: `PutObjectLegalHold` on every version stored under the key (normally exactly
 *   one, keys are never reused), so a hold placed after the delete still protects the bytes.
 *   S3 refuses to delete a held version and lifecycle skips it.
 * - Purge: lifecycle's job; `purge` does nothing and says so (`deferred`).
 */
import {
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  ListObjectVersionsCommand,
  PutObjectLegalHoldCommand,
} from '@aws-sdk/client-s3';
import type { PurgeOutcome, RestoreOutcome } from './media-store.ts';
import { S3ObjectStore } from './s3-objects.ts';

/**
 * "This version never had a hold": AWS answers `NoSuchObjectLockConfiguration`, a Ceph gateway
 * `ObjectLockConfigurationNotFoundError` (seen on Ceph 16).
 */
const NO_HOLD_ERRORS = new Set([
  'NoSuchObjectLockConfiguration',
  'ObjectLockConfigurationNotFoundError',
]);

interface KeyVersions {
  /** Version ids of the object versions (with bytes) of exactly this key. */
  versions: string[];
  /** Version ids of the delete markers of exactly this key. */
  markers: string[];
}

export class S3MediaStore extends S3ObjectStore {
  // The bucket encrypts by default too; the header makes the request say so (a bucket policy
  // may require it). Only aws mode: a portable store may not implement SSE.
  protected override readonly putHeaders = { ServerSideEncryption: 'AES256' as const };

  async softDelete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async restore(key: string): Promise<RestoreOutcome> {
    const { versions, markers } = await this.versionsOf(key);
    if (versions.length === 0) return 'missing';
    // Every marker goes, not only the latest: a repeated delete may have added several.
    for (const versionId of markers) {
      await this.s3.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }),
      );
    }
    return 'restored';
  }

  async setLegalHold(key: string, on: boolean): Promise<boolean> {
    const { versions } = await this.versionsOf(key);
    for (const versionId of versions) {
      await this.s3.send(
        new PutObjectLegalHoldCommand({
          Bucket: this.bucket,
          Key: key,
          VersionId: versionId,
          LegalHold: { Status: on ? 'ON' : 'OFF' },
        }),
      );
    }
    return versions.length > 0;
  }

  async isLegallyHeld(key: string): Promise<boolean> {
    const { versions } = await this.versionsOf(key);
    for (const versionId of versions) {
      try {
        const { LegalHold } = await this.s3.send(
          new GetObjectLegalHoldCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }),
        );
        if (LegalHold?.Status === 'ON') return true;
      } catch (error) {
        // A version that never had a hold has no Object Lock configuration to read.
        if (!NO_HOLD_ERRORS.has((error as { name?: string }).name ?? '')) throw error;
      }
    }
    return false;
  }

  async purge(_key: string): Promise<PurgeOutcome> {
    // NoncurrentVersionExpiration removes the bytes after the grace period (never a held
    // version); deleting versions here would need a permission no function should have.
    return 'deferred';
  }

  /** Versions and delete markers of exactly `key` (the listing is by prefix). */
  private async versionsOf(key: string): Promise<KeyVersions> {
    const result: KeyVersions = { versions: [], markers: [] };
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await this.s3.send(
        new ListObjectVersionsCommand({
          Bucket: this.bucket,
          Prefix: key,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      for (const v of page.Versions ?? []) {
        if (v.Key === key && v.VersionId) result.versions.push(v.VersionId);
      }
      for (const m of page.DeleteMarkers ?? []) {
        if (m.Key === key && m.VersionId) result.markers.push(m.VersionId);
      }
      if (!page.IsTruncated) return result;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
  }
}
