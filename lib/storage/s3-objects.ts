/**
 * What both stores do the same way on any S3 API: write, read, list and presign objects. The
 * lifecycle operations (soft delete, restore, holds, purge) differ and live in the subclasses.
 */
import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type {
  ListedObject,
  MediaStore,
  PurgeOutcome,
  RestoreOutcome,
  StoredObject,
} from './media-store.ts';

/** "No such object": `NoSuchKey` from GET/COPY, a bare 404 (`NotFound`) from HEAD. */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

export abstract class S3ObjectStore implements MediaStore {
  /**
   * Headers only some stores implement (server-side encryption): set by the aws-mode store. A
   * portable store (R2, MinIO, the local server) may refuse what it does not implement.
   */
  protected readonly putHeaders: Partial<PutObjectCommandInput> = {};

  constructor(
    protected readonly s3: S3Client,
    protected readonly bucket: string,
  ) {}

  /**
   * The SHA-256 goes along: a store that implements flexible checksums (AWS S3, R2) refuses
   * bytes that do not match it; one that does not (Ceph 16, the local server) ignores it. The
   * service hashes the bytes itself before storing them, so integrity never depends on it.
   */
  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        ContentLength: bytes.byteLength,
        ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
        ...this.putHeaders,
      }),
    );
  }

  async get(key: string): Promise<StoredObject | null> {
    try {
      const result = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!result.Body) return null;
      return { body: await result.Body.transformToByteArray(), contentType: result.ContentType };
    } catch (error) {
      if (isNotFound(error)) return null;
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

  async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && object.LastModified) {
          yield { key: object.Key, lastModified: object.LastModified };
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  abstract softDelete(key: string): Promise<void>;
  abstract restore(key: string): Promise<RestoreOutcome>;
  abstract setLegalHold(key: string, on: boolean): Promise<boolean>;
  abstract isLegallyHeld(key: string): Promise<boolean>;
  abstract purge(key: string): Promise<PurgeOutcome>;
}
