/**
 * What the storage itself enforces in aws mode, on a real S3 implementation (the Ceph
 * gateway), beyond the `MediaStore` contract: a held version cannot be deleted by any caller,
 * the bucket carries exactly the lifecycle rules the CDK construct deploys, and a presigned
 * upload URL is refused for another length or content type than the session declared.
 */
import { randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureMediaBucket } from '../../lib/storage/bucket-setup.ts';
import { mediaLifecycleRules } from '../../lib/storage/lifecycle-rules.ts';
import { S3MediaStore } from '../../lib/storage/s3-media-store.ts';
import { StagingArea, stagingKeyOf } from '../../lib/storage/staging.ts';
import {
  freshBucket,
  gatewayInfo,
  gatewayS3,
  lifecyclePassed,
  versionsOf,
} from '../support/gateway.ts';

const gateway = gatewayInfo();
const key = () => `uploads/2026/01/01/${randomBytes(6).toString('hex')}.png`;

describe.skipIf(!gateway)('aws mode on the Ceph gateway: what the storage enforces', () => {
  let s3: S3Client;
  let bucket: string;
  let store: S3MediaStore;
  beforeAll(async () => {
    if (!gateway) return;
    s3 = gatewayS3(gateway);
    bucket = await freshBucket(s3, 'aws', 'guarantees', 1);
    store = new S3MediaStore(s3, bucket);
  });

  it('refuses to delete a held version (403), by id or in a batch, until the hold is lifted', async () => {
    const k = key();
    await store.put(k, new Uint8Array([1, 2, 3]), 'image/png');
    await store.setLegalHold(k, true);
    const [version] = (await versionsOf(s3, bucket, k)).versions;
    const versionId = version?.id as string;

    const refused = await s3
      .send(new DeleteObjectCommand({ Bucket: bucket, Key: k, VersionId: versionId }))
      .catch((error: { name: string; $metadata: { httpStatusCode: number } }) => error);
    expect(refused).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const batch = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: k, VersionId: versionId }] },
      }),
    );
    expect(batch.Errors?.map((e) => e.Code)).toEqual(['AccessDenied']);
    expect((await versionsOf(s3, bucket, k)).versions.map((v) => v.id)).toEqual([versionId]);

    await store.setLegalHold(k, false);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: k, VersionId: versionId }));
    expect((await versionsOf(s3, bucket, k)).versions).toEqual([]);
  });

  it('carries exactly the lifecycle rules the CDK construct deploys', async () => {
    const { Rules } = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    const byId = (rules: { ID?: string }[]) =>
      [...rules].sort((a, b) => (a.ID ?? '').localeCompare(b.ID ?? ''));
    // The gateway echoes an empty filter in the older form, `Prefix: ''`: the same rule.
    const normalized = (Rules ?? []).map(({ Prefix, ...rule }) =>
      Prefix === '' && !rule.Filter ? { ...rule, Filter: {} } : rule,
    );
    expect(byId(normalized)).toEqual(byId(mediaLifecycleRules(1)));
  });

  it('expires what is left under staging/ after a day, by its own lifecycle', async () => {
    const staged = stagingKeyOf(`upl_${randomBytes(6).toString('hex')}`);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: staged, Body: 'left over' }));
    await lifecyclePassed(s3, bucket);
    const read = await s3
      .send(new GetObjectCommand({ Bucket: bucket, Key: staged }))
      .catch((error: { name: string }) => error);
    expect(read).toMatchObject({ name: 'NoSuchKey' });
  });

  it('aws mode refuses an existing bucket without versioning or without Object Lock', async () => {
    const plain = await freshBucket(s3, 'portable', 'unversioned', 1);
    await expect(ensureMediaBucket(s3, plain, { mode: 'aws', gracePeriodDays: 1 })).rejects.toThrow(
      /has no versioning.*MEDIA_STORAGE_MODE=portable/,
    );
    // Versioned, but without Object Lock: holds could not be enforced.
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: plain,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    await expect(ensureMediaBucket(s3, plain, { mode: 'aws', gracePeriodDays: 1 })).rejects.toThrow(
      /has no Object Lock/,
    );
    expect(await ensureMediaBucket(s3, bucket, { mode: 'aws', gracePeriodDays: 1 })).toBe(
      'existing',
    );
  });

  describe('presigned upload URLs pin length and content type', () => {
    const body = new TextEncoder().encode('exactly these bytes');
    const presign = (staged: string) =>
      new StagingArea(s3, bucket).presignPut(
        staged,
        { contentType: 'image/png', size: body.byteLength },
        60,
      );
    const put = (url: string, headers: Record<string, string>, bytes: Uint8Array) =>
      fetch(url, { method: 'PUT', headers, body: bytes });

    it('accepts the declared length and type', async () => {
      const staged = stagingKeyOf(`upl_${randomBytes(6).toString('hex')}`);
      const upload = await presign(staged);
      const response = await put(upload.url, upload.headers, body);
      expect(response.status).toBe(200);
      const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: staged }));
      expect(stored.ContentType).toBe('image/png');
      expect(stored.ContentLength).toBe(body.byteLength);
    });

    it('refuses another content type (403), nothing is stored', async () => {
      const staged = stagingKeyOf(`upl_${randomBytes(6).toString('hex')}`);
      const upload = await presign(staged);
      const response = await put(upload.url, { 'content-type': 'text/html' }, body);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('SignatureDoesNotMatch');
      expect((await versionsOf(s3, bucket, staged)).versions).toEqual([]);
    });

    it('refuses another length (403), nothing is stored', async () => {
      const staged = stagingKeyOf(`upl_${randomBytes(6).toString('hex')}`);
      const upload = await presign(staged);
      const response = await put(upload.url, upload.headers, body.subarray(1));
      expect(response.status).toBe(403);
      expect((await versionsOf(s3, bucket, staged)).versions).toEqual([]);
    });
  });
});
