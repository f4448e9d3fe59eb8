/**
 * Portable mode (`MEDIA_STORAGE_MODE=portable`): for any S3-compatible store without
 * versioning or Object Lock (Cloudflare R2, MinIO without locking, the local S3 server). Only
 * plain object operations are used, and the lifecycle is kept in key space, with the same
 * observable behaviour as in aws mode, enforced by the service instead of the storage:
 *
 * - Soft delete moves the object to `trash/<key>` (copy, then delete the original): it is no
 *   longer served, and restore moves it back byte for byte with its content type.
 * - A legal hold is a marker object `legal-holds/<key>`, independent of where the bytes are, so
 *   it survives delete and restore like an Object Lock hold on the version does.
 * - Purge removes `trash/<key>` unless a hold marker exists. The purge sweep calls it once the
 *   grace period is over (the job S3 lifecycle does on AWS).
 *
 * Moves are copy-then-delete, so a crash in between leaves two copies, never none. Operations
 * on one key are serialized within the process (the local server and its sweeper share it):
 * two interleaved moves in opposite directions could otherwise delete both copies. Across
 * processes (several Lambdas on R2) they are not: there the records' conditional updates
 * decide who deletes or restores, as in aws mode.
 *
 * What the storage does not give here: a hold is a marker any caller with delete rights can
 * ignore (not WORM), and the bytes are removed by the service's purge sweep, not by lifecycle.
 */
import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { PurgeOutcome, RestoreOutcome } from './media-store.ts';
import { isNotFound, S3ObjectStore } from './s3-objects.ts';

export const TRASH_PREFIX = 'trash/';
export const HOLD_PREFIX = 'legal-holds/';

const keyLocks = new Map<string, Promise<void>>();

/** Runs `task` after every earlier task on the same key has finished. */
async function serialized<T>(lockKey: string, task: () => Promise<T>): Promise<T> {
  const previous = keyLocks.get(lockKey) ?? Promise.resolve();
  let release = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => done);
  keyLocks.set(lockKey, tail);
  await previous;
  try {
    return await task();
  } finally {
    release();
    if (keyLocks.get(lockKey) === tail) keyLocks.delete(lockKey);
  }
}

export class PortableMediaStore extends S3ObjectStore {
  async softDelete(key: string): Promise<void> {
    await this.locked(key, async () => {
      if (!(await this.copy(key, TRASH_PREFIX + key))) return; // nothing live: already done
      await this.delete(key);
    });
  }

  async restore(key: string): Promise<RestoreOutcome> {
    return this.locked(key, async () => {
      if (!(await this.copy(TRASH_PREFIX + key, key))) {
        return (await this.exists(key)) ? 'restored' : 'missing';
      }
      await this.delete(TRASH_PREFIX + key);
      return 'restored';
    });
  }

  async setLegalHold(key: string, on: boolean): Promise<boolean> {
    return this.locked(key, async () => {
      const stored = (await this.exists(key)) || (await this.exists(TRASH_PREFIX + key));
      if (on && stored) {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: HOLD_PREFIX + key,
            Body: new Uint8Array(0),
            ContentLength: 0,
          }),
        );
      } else if (!on) {
        await this.delete(HOLD_PREFIX + key);
      }
      return stored;
    });
  }

  isLegallyHeld(key: string): Promise<boolean> {
    return this.exists(HOLD_PREFIX + key);
  }

  async purge(key: string): Promise<PurgeOutcome> {
    return this.locked(key, async () => {
      if (await this.isLegallyHeld(key)) return 'held';
      if (!(await this.exists(TRASH_PREFIX + key))) return 'absent';
      await this.delete(TRASH_PREFIX + key);
      return 'purged';
    });
  }

  private locked<T>(key: string, task: () => Promise<T>): Promise<T> {
    return serialized(`${this.bucket}/${key}`, task);
  }

  /** Server-side copy with metadata (content type included); false when `from` is missing. */
  private async copy(from: string, to: string): Promise<boolean> {
    try {
      await this.s3.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
        }),
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
