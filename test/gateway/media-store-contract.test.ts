/**
 * The `MediaStore` contract on a real S3 implementation (the Ceph gateway): `S3MediaStore` in
 * aws mode on a bucket with Object Lock, versioning and the deployed lifecycle rules (the purge
 * is the gateway's own lifecycle, observed), and `PortableMediaStore` on a bucket with
 * versioning off, as on R2 or MinIO without locking.
 */
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe } from 'vitest';
import { PortableMediaStore } from '../../lib/storage/portable-media-store.ts';
import { S3MediaStore } from '../../lib/storage/s3-media-store.ts';
import { freshBucket, gatewayInfo, gatewayS3, lifecyclePassed } from '../support/gateway.ts';
import { mediaStoreContract } from '../support/media-store-contract.ts';

const gateway = gatewayInfo();
const freshKey = () => `uploads/2026/01/01/${randomBytes(6).toString('hex')}.png`;

describe.skipIf(!gateway)('on the Ceph gateway', () => {
  let s3: S3Client;
  const buckets = { aws: '', awsPurging: '', portable: '' };
  beforeAll(async () => {
    if (!gateway) return;
    s3 = gatewayS3(gateway);
    [buckets.aws, buckets.awsPurging, buckets.portable] = await Promise.all([
      // Nothing soft-deleted here is purged during the run (a grace period of 1000 days).
      freshBucket(s3, 'aws', 'contract', 1000),
      freshBucket(s3, 'aws', 'contract-purge', 1),
      freshBucket(s3, 'portable', 'contract-portable', 1),
    ]);
  });

  mediaStoreContract('S3MediaStore (aws mode) on the gateway, lifecycle for real', {
    store: () => new S3MediaStore(s3, buckets.aws),
    purgingStore: () => new S3MediaStore(s3, buckets.awsPurging),
    freshKey,
    purgeAnswer: 'deferred',
    expireSoftDeleted: () => lifecyclePassed(s3, buckets.awsPurging),
    concurrent: true,
  });

  mediaStoreContract('PortableMediaStore on the gateway, versioning off', {
    store: () => new PortableMediaStore(s3, buckets.portable),
    freshKey,
    purgeAnswer: 'purged',
    expireSoftDeleted: async (key) => {
      await new PortableMediaStore(s3, buckets.portable).purge(key);
    },
  });
});
