/**
 * `S3MediaStore` (the deployed store): the shared contract on a simulated versioned, Object
 * Lock bucket, then the exact S3 calls each lifecycle operation makes — these are what the IAM
 * grants of infra/function-access.ts are sized for.
 */
import {
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectLegalHoldCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { S3MediaStore } from '../../../lib/storage/s3-media-store.ts';
import { mediaStoreContract } from '../../support/media-store-contract.ts';
import { VersionedBucket } from './versioned-bucket.ts';

const BUCKET = 'media-bucket';
const s3Mock = mockClient(S3Client);
let bucket: VersionedBucket;
let counter = 0;

const store = () => new S3MediaStore(new S3Client({ region: 'us-east-1' }), BUCKET);

beforeEach(() => {
  bucket = new VersionedBucket(BUCKET);
  bucket.install(s3Mock);
});

afterEach(() => {
  s3Mock.reset();
});

mediaStoreContract('S3MediaStore on a versioned Object Lock bucket (aws-sdk-client-mock)', {
  store,
  freshKey: () => `uploads/2026/01/01/k${++counter}.png`,
  purgeAnswer: 'deferred',
  expireSoftDeleted: async () => bucket.runLifecycle(),
});

/** The calls made since the last `calls()`, as `[command, input]`. */
function calls(): Array<[string, unknown]> {
  const all = s3Mock.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    return [command.constructor.name, command.input] as [string, unknown];
  });
  s3Mock.resetHistory();
  return all;
}

describe('S3MediaStore: the exact S3 calls', () => {
  const key = 'uploads/2026/04/01/abc123.png';
  const seed = async () => {
    const s = store();
    await s.put(key, new Uint8Array([1, 2, 3]), 'image/png');
    calls();
    return s;
  };

  it('soft delete: one DeleteObject without a version id (a delete marker)', async () => {
    const s = await seed();
    await s.softDelete(key);
    expect(calls()).toEqual([['DeleteObjectCommand', { Bucket: BUCKET, Key: key }]]);
  });

  it('restore: lists the versions, deletes the delete marker by its version id', async () => {
    const s = await seed();
    await s.softDelete(key);
    const marker = bucket.objects.get(key)?.at(-1)?.versionId;
    calls();
    expect(await s.restore(key)).toBe('restored');
    expect(calls()).toEqual([
      ['ListObjectVersionsCommand', { Bucket: BUCKET, Prefix: key }],
      ['DeleteObjectCommand', { Bucket: BUCKET, Key: key, VersionId: marker }],
    ]);
  });

  it('legal hold: PutObjectLegalHold on the stored version, also after a delete', async () => {
    const s = await seed();
    const version = bucket.objects.get(key)?.[0]?.versionId;
    await s.softDelete(key);
    calls();
    await s.setLegalHold(key, true);
    expect(calls()).toEqual([
      ['ListObjectVersionsCommand', { Bucket: BUCKET, Prefix: key }],
      [
        'PutObjectLegalHoldCommand',
        { Bucket: BUCKET, Key: key, VersionId: version, LegalHold: { Status: 'ON' } },
      ],
    ]);
    await s.setLegalHold(key, false);
    expect(calls()[1]).toEqual([
      'PutObjectLegalHoldCommand',
      { Bucket: BUCKET, Key: key, VersionId: version, LegalHold: { Status: 'OFF' } },
    ]);
  });

  it('reading a hold: GetObjectLegalHold per version; "no lock configuration" means not held', async () => {
    const s = await seed();
    const version = bucket.objects.get(key)?.[0]?.versionId;
    expect(await s.isLegallyHeld(key)).toBe(false);
    expect(calls()).toEqual([
      ['ListObjectVersionsCommand', { Bucket: BUCKET, Prefix: key }],
      ['GetObjectLegalHoldCommand', { Bucket: BUCKET, Key: key, VersionId: version }],
    ]);
  });

  it('purge: no S3 call at all (lifecycle NoncurrentVersionExpiration does it)', async () => {
    const s = await seed();
    await s.softDelete(key);
    calls();
    expect(await s.purge(key)).toBe('deferred');
    expect(calls()).toEqual([]);
  });

  it('never deletes an object version other than delete markers', async () => {
    const s = await seed();
    await s.setLegalHold(key, true);
    await s.softDelete(key);
    await s.restore(key);
    await s.softDelete(key);
    await s.softDelete(key);
    await s.restore(key);
    const versionDeletes = s3Mock
      .commandCalls(DeleteObjectCommand)
      .map((c) => c.args[0].input.VersionId)
      .filter((v) => v !== undefined);
    const versions = new Set(bucket.objects.get(key)?.map((e) => e.versionId));
    for (const id of versionDeletes) expect(versions.has(id)).toBe(false);
    expect(bucket.objects.get(key)?.map((e) => e.marker)).toEqual([false]);
  });

  it('follows ListObjectVersions and ListObjectsV2 pagination', async () => {
    const s = store();
    s3Mock.reset();
    s3Mock
      .on(ListObjectVersionsCommand)
      .resolvesOnce({
        Versions: [{ Key: key, VersionId: 'a', IsLatest: false }],
        IsTruncated: true,
        NextKeyMarker: key,
        NextVersionIdMarker: 'a',
      })
      .resolves({ Versions: [{ Key: key, VersionId: 'b', IsLatest: true }], IsTruncated: false });
    s3Mock.on(PutObjectLegalHoldCommand).resolves({});
    await s.setLegalHold(key, true);
    expect(
      s3Mock.commandCalls(PutObjectLegalHoldCommand).map((c) => c.args[0].input.VersionId),
    ).toEqual(['a', 'b']);
    expect(s3Mock.commandCalls(ListObjectVersionsCommand)[1]?.args[0].input).toMatchObject({
      KeyMarker: key,
      VersionIdMarker: 'a',
    });

    s3Mock
      .on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'uploads/a', LastModified: new Date(1) }],
        IsTruncated: true,
        NextContinuationToken: 't',
      })
      .resolves({ Contents: [{ Key: 'uploads/b', LastModified: new Date(2) }] });
    const keys = [];
    for await (const o of s.list('uploads/')) keys.push(o.key);
    expect(keys).toEqual(['uploads/a', 'uploads/b']);
    expect(s3Mock.commandCalls(ListObjectsV2Command)[1]?.args[0].input.ContinuationToken).toBe('t');
  });

  it('reading a hold fails loudly on anything but "no lock configuration"', async () => {
    const s = await seed();
    s3Mock
      .on(GetObjectLegalHoldCommand)
      .rejects(Object.assign(new Error('x'), { name: 'AccessDenied' }));
    await expect(s.isLegallyHeld(key)).rejects.toThrow('x');
  });
});
