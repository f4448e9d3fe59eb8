/**
 * Where blobs live. The domain talks to this interface only; `S3MediaStore` implements it on
 * S3 (deployed) and on the local S3 server (`npm start`).
 */
import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ServiceConfig } from '../config.ts';
import { createS3Client } from './s3-client.ts';

export interface StoredObject {
  body: Uint8Array;
  contentType: string | undefined;
}

export interface MediaStore {
  /** Stores bytes with their content type; S3 verifies the SHA-256 on arrival. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<StoredObject | null>;
  remove(key: string): Promise<void>;
  /** A short-lived URL that downloads the object with the given response headers. */
  signedDownloadUrl(
    key: string,
    options: { expiresInSeconds: number; contentType: string; contentDisposition: string },
  ): Promise<string>;
}

export const sha256Hex = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

export class S3MediaStore implements MediaStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        ContentLength: bytes.byteLength,
        ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
        ServerSideEncryption: 'AES256',
      }),
    );
  }

  async get(key: string): Promise<StoredObject | null> {
    try {
      const result = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!result.Body) return null;
      return { body: await result.Body.transformToByteArray(), contentType: result.ContentType };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  signedDownloadUrl(
    key: string,
    options: { expiresInSeconds: number; contentType: string; contentDisposition: string },
  ): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentType: options.contentType,
        ResponseContentDisposition: options.contentDisposition,
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }
}

/** The store a Lambda or the local server uses, from the process configuration. */
export function mediaStoreFrom(config: ServiceConfig): MediaStore {
  return new S3MediaStore(createS3Client(config), config.bucketName);
}
