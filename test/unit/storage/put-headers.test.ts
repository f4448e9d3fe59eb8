/**
 * What each mode sends with a write: the SHA-256 always (checked where the store implements
 * it), server-side encryption only in aws mode (a portable store may refuse the header).
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { PortableMediaStore } from '../../../lib/storage/portable-media-store.ts';
import { S3MediaStore } from '../../../lib/storage/s3-media-store.ts';

const s3 = new S3Client({ region: 'us-east-1' });
const mock = mockClient(s3);
afterEach(() => mock.reset());

const bytes = new TextEncoder().encode('bytes');
const sha256 = createHash('sha256').update(bytes).digest('base64');

describe('put', () => {
  it('aws mode: SHA-256 and SSE-S3', async () => {
    mock.on(PutObjectCommand).resolves({});
    await new S3MediaStore(s3, 'b').put('uploads/k', bytes, 'image/png');
    expect(mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      ChecksumSHA256: sha256,
      ServerSideEncryption: 'AES256',
      ContentType: 'image/png',
      ContentLength: 5,
    });
  });

  it('portable mode: SHA-256, no SSE header', async () => {
    mock.on(PutObjectCommand).resolves({});
    await new PortableMediaStore(s3, 'b').put('uploads/k', bytes, 'image/png');
    const input = mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input?.ChecksumSHA256).toBe(sha256);
    expect(input).not.toHaveProperty('ServerSideEncryption');
  });
});
