/**
 * Helpers for the `gateway` project's tests (they run in Vitest workers; the gateway runs in
 * the global setup process, see `gateway-setup.ts`): clients, fresh buckets per mode, and
 * waiting for the gateway's lifecycle to have run.
 */
import { randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import type { StorageMode } from '../../lib/config.ts';
import { ensureMediaBucket } from '../../lib/storage/bucket-setup.ts';
import { s3ClientSettingsFor } from '../../lib/storage/s3-client.ts';
import type { GatewayInfo } from './gateway-setup.ts';

/** The running gateway, or null when the project is skipped (see `gateway-setup.ts`). */
export function gatewayInfo(): GatewayInfo | null {
  return inject('gateway');
}

export function gatewayS3(info: GatewayInfo): S3Client {
  return new S3Client(s3ClientSettingsFor(info));
}

/** A new bucket for one test file, set up as `ensureMediaBucket` does for the mode. */
export async function freshBucket(
  s3: S3Client,
  mode: StorageMode,
  label: string,
  /** In lifecycle days (each `lifecycleDaySeconds` long on the gateway). */
  gracePeriodDays: number,
): Promise<string> {
  const bucket = `gw-${label}-${randomBytes(4).toString('hex')}`;
  await ensureMediaBucket(s3, bucket, { mode, gracePeriodDays });
  return bucket;
}

/** Every version and delete marker stored under exactly `key`. */
export async function versionsOf(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ versions: { id: string; latest: boolean }[]; markers: string[] }> {
  const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return {
    versions: (page.Versions ?? [])
      .filter((v) => v.Key === key)
      .map((v) => ({ id: v.VersionId as string, latest: v.IsLatest === true })),
    markers: (page.DeleteMarkers ?? [])
      .filter((m) => m.Key === key)
      .map((m) => m.VersionId as string),
  };
}

async function until(what: string, check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

async function sentinelPurged(s3: S3Client, bucket: string): Promise<void> {
  const sentinel = `uploads/lifecycle-sentinel-${randomBytes(6).toString('hex')}`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: sentinel, Body: 'x' }));
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: sentinel }));
  await until(
    `lifecycle to purge ${sentinel}`,
    async () => (await versionsOf(s3, bucket, sentinel)).versions.length === 0,
    180_000,
  );
}

/**
 * Resolves once the gateway's lifecycle has done its work on everything soft-deleted in
 * `bucket` before this call (held versions stay): a first sentinel, deleted now, is purged
 * once those deletions are past their grace period too; a second one, deleted after that, is
 * purged by a later pass, which then visited every key (whatever the rules' order) after
 * their grace period. Waits on the storage's own work, not on a clock: the limit only turns a
 * gateway that never purges into a failure.
 */
export async function lifecyclePassed(s3: S3Client, bucket: string): Promise<void> {
  await sentinelPurged(s3, bucket);
  await sentinelPurged(s3, bucket);
}
