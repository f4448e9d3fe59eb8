/**
 * The bucket's `staging/` prefix: where clients of an upload session put their bytes directly,
 * through a presigned PUT, before the service verifies them and stores them as an attachment.
 * Nothing under `staging/` is ever served. On AWS a lifecycle rule expires what is left there
 * after a day; locally `removeStagedOlderThan` does the same job (see `upload-sessions.ts`).
 *
 * Why a presigned PUT and not a presigned POST with a `content-length-range` policy: the PUT
 * signs the exact `content-length` (and `content-type`, and the SHA-256 when the client gives
 * one), so S3 refuses any other body outright; the local S3 server ignores POST policies, so a
 * POST would be checked nowhere locally. The complete step re-checks size and checksum anyway
 * (the local server checks neither).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ServiceConfig } from '../config.ts';
import { STORAGE_PREFIXES } from './prefixes.ts';
import { createS3Client } from './s3-client.ts';
import { isNotFound } from './s3-objects.ts';

export const STAGING_PREFIX = STORAGE_PREFIXES.staging;

export const stagingKeyOf = (uploadId: string): string => `${STAGING_PREFIX}${uploadId}`;

export interface PresignedUpload {
  url: string;
  method: 'PUT';
  /** Headers the client must send exactly (they are part of the signature). */
  headers: Record<string, string>;
}

export type StagedRead =
  | { kind: 'missing' }
  /** The object is there but not `expectedSize` bytes long; its body was not downloaded. */
  | { kind: 'wrong_size'; size: number }
  | { kind: 'found'; bytes: Uint8Array };

export class StagingArea {
  /**
   * `s3` must compute checksums only `WHEN_REQUIRED` (see `stagingAreaFrom`): with the SDK's
   * default, a presigned PutObject URL carries the CRC32 of an *empty* body and S3 refuses
   * every real upload to it.
   */
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async presignPut(
    key: string,
    file: { contentType: string; size: number; sha256Hex?: string | null },
    expiresInSeconds: number,
  ): Promise<PresignedUpload> {
    const checksum = file.sha256Hex ? Buffer.from(file.sha256Hex, 'hex').toString('base64') : null;
    const url = await getSignedUrl(
      this.s3,
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ContentType: file.contentType,
        ContentLength: file.size,
        ...(checksum ? { ChecksumSHA256: checksum } : {}),
      }),
      {
        expiresIn: expiresInSeconds,
        // Signed, so S3 refuses a body of another length or type than the session declared.
        signableHeaders: new Set(['content-length', 'content-type']),
        // Kept a header (not hoisted into the query), so S3 verifies the body against it.
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      },
    );
    return {
      url,
      method: 'PUT',
      headers: {
        'content-type': file.contentType,
        ...(checksum ? { 'x-amz-checksum-sha256': checksum } : {}),
      },
    };
  }

  /**
   * The staged bytes, downloaded only when the object has the expected size: a wrong-sized
   * object is refused from its `Content-Length` without reading it.
   */
  async read(key: string, expectedSize: number): Promise<StagedRead> {
    let result: GetObjectCommandOutput;
    try {
      result = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) return { kind: 'missing' };
      throw error;
    }
    const size = result.ContentLength ?? -1;
    if (size !== expectedSize || !result.Body) {
      (result.Body as { destroy?: () => void } | undefined)?.destroy?.(); // stop the download
      return { kind: 'wrong_size', size };
    }
    const bytes = await result.Body.transformToByteArray();
    // The header and the body agree unless the object changed mid-read; trust the body.
    if (bytes.length !== expectedSize) return { kind: 'wrong_size', size: bytes.length };
    return { kind: 'found', bytes };
  }

  async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Removes every staged object last written before `cutoff`; returns how many. */
  async removeStagedOlderThan(cutoff: Date): Promise<number> {
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: STAGING_PREFIX,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && object.LastModified && object.LastModified < cutoff) {
          await this.remove(object.Key);
          removed += 1;
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }
}

/** The staging area of the configured bucket, with a client fit for presigning. */
export function stagingAreaFrom(config: ServiceConfig): StagingArea {
  return new StagingArea(
    createS3Client(config, { requestChecksumCalculation: 'WHEN_REQUIRED' }),
    config.bucketName,
  );
}
