/**
 * The staging area: what the presigned PUT signs (so S3 itself refuses another length, type
 * or checksum), and that a wrong-sized staged object is refused without downloading it.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StagingArea, stagingAreaFrom, stagingKeyOf } from '../../../lib/storage/staging.ts';

const SHA256_HEX = 'a'.repeat(64);
const file = { contentType: 'image/png', size: 1234, sha256Hex: SHA256_HEX };

function awsConfig() {
  return {
    tableName: 't',
    bucketName: 'media-bucket',
    maxUploadBytes: 52_428_800,
    gracePeriodSeconds: 1,
    dynamoEndpoint: undefined,
    s3Endpoint: undefined,
    region: 'eu-west-1',
  };
}

describe('presignPut', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('signs length, type and checksum, and adds no checksum of an empty body', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLEEXAMPLE00');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    // The deployed configuration (no endpoint), where the SDK defaults to CRC32 checksums.
    const upload = await stagingAreaFrom(awsConfig()).presignPut(
      stagingKeyOf('upl_abc'),
      file,
      900,
    );
    const url = new URL(upload.url);
    expect(url.host).toBe('media-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/staging/upl_abc');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-length;content-type;host;x-amz-checksum-sha256',
    );
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(upload).toMatchObject({
      method: 'PUT',
      headers: {
        'content-type': 'image/png',
        'x-amz-checksum-sha256': Buffer.from(SHA256_HEX, 'hex').toString('base64'),
      },
    });
  });

  it('without a checksum: length and type only', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLEEXAMPLE00');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    const upload = await stagingAreaFrom(awsConfig()).presignPut(
      'staging/upl_abc',
      { ...file, sha256Hex: null },
      60,
    );
    const url = new URL(upload.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(upload.headers).toEqual({ 'content-type': 'image/png' });
  });
});

describe('read', () => {
  const s3Mock = mockClient(S3Client);
  const staging = new StagingArea(new S3Client({ region: 'us-east-1' }), 'media-bucket');
  afterEach(() => s3Mock.reset());

  const body = (bytes: Uint8Array) => {
    const stream = {
      transformToByteArray: vi.fn(async () => bytes),
      destroy: vi.fn(),
    };
    return stream;
  };

  it('missing → missing', async () => {
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));
    expect(await staging.read('staging/upl_x', 3)).toEqual({ kind: 'missing' });
  });

  it('another size → refused from Content-Length, the body is not downloaded', async () => {
    const stream = body(new Uint8Array(10));
    s3Mock.on(GetObjectCommand).resolves({ ContentLength: 10, Body: stream as never });
    expect(await staging.read('staging/upl_x', 3)).toEqual({ kind: 'wrong_size', size: 10 });
    expect(stream.transformToByteArray).not.toHaveBeenCalled();
    expect(stream.destroy).toHaveBeenCalled();
  });

  it('the declared size → the bytes', async () => {
    s3Mock
      .on(GetObjectCommand)
      .resolves({ ContentLength: 3, Body: body(new Uint8Array([1, 2, 3])) as never });
    expect(await staging.read('staging/upl_x', 3)).toEqual({
      kind: 'found',
      bytes: new Uint8Array([1, 2, 3]),
    });
  });

  it('any other failure surfaces (the session stays open for a retry)', async () => {
    s3Mock.on(GetObjectCommand).rejects(new Error('503 Slow Down'));
    await expect(staging.read('staging/upl_x', 3)).rejects.toThrow('Slow Down');
  });
});
