/**
 * Creates the media bucket when it is missing, configured for the storage mode: in aws mode
 * with Object Lock (which implies versioning) and the lifecycle rules the CDK construct deploys
 * (`lifecycle-rules.ts`); in portable mode a plain bucket (the service keeps the lifecycle in
 * key space). Used for stores the service is pointed at outside AWS: `npm start` with
 * `S3_ENDPOINT`, and the tests' Ceph gateway. On AWS the stack creates the bucket.
 *
 * An existing bucket is checked, not changed: aws mode on a bucket without versioning would
 * turn every delete into a permanent one, so that is refused with a clear message.
 */
import {
  CreateBucketCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { StorageMode } from '../config.ts';
import { mediaLifecycleRules } from './lifecycle-rules.ts';
import { isNotFound } from './s3-objects.ts';

export type BucketSetup = 'created' | 'existing';

export async function ensureMediaBucket(
  s3: S3Client,
  bucket: string,
  { mode, gracePeriodDays }: { mode: StorageMode; gracePeriodDays: number },
): Promise<BucketSetup> {
  if (await bucketExists(s3, bucket)) {
    if (mode === 'aws') await assertVersioned(s3, bucket);
    return 'existing';
  }
  if (mode === 'portable') {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return 'created';
  }
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  // Object Lock turns versioning on; said explicitly for stores that do not do it by themselves.
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: { Rules: mediaLifecycleRules(gracePeriodDays) },
    }),
  );
  return 'created';
}

async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

const AWS_MODE_NEEDS =
  'MEDIA_STORAGE_MODE=aws needs a versioned bucket with Object Lock; ' +
  'use MEDIA_STORAGE_MODE=portable for a store without them';

async function assertVersioned(s3: S3Client, bucket: string): Promise<void> {
  const { Status } = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  if (Status !== 'Enabled') {
    throw new Error(
      `bucket ${bucket} has no versioning (status ${Status ?? 'never enabled'}): ${AWS_MODE_NEEDS}`,
    );
  }
  // Without Object Lock every legal hold would fail, and nothing would stop a held delete.
  const lock = await s3
    .send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))
    .catch((error: { name?: string }) => {
      if (NO_LOCK_ERRORS.has(error.name ?? '')) return undefined;
      throw error;
    });
  if (lock?.ObjectLockConfiguration?.ObjectLockEnabled !== 'Enabled') {
    throw new Error(`bucket ${bucket} has no Object Lock: ${AWS_MODE_NEEDS}`);
  }
}

/** "Object Lock was never enabled": AWS and Ceph name it differently. */
const NO_LOCK_ERRORS = new Set([
  'ObjectLockConfigurationNotFoundError',
  'NoSuchObjectLockConfiguration',
]);
