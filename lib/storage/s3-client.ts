import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { ServiceConfig } from '../config.ts';
import { traced } from '../observability/tracing.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * SDK settings for an S3-compatible store at a custom endpoint (a Ceph gateway, MinIO, R2, the
 * local server). Path-style addressing: such stores rarely have per-bucket DNS names.
 *
 * Checksums only `WHEN_REQUIRED`: the SDK's default sends a CRC32 with every upload, and for
 * stream bodies it does so as an `aws-chunked` body with a trailing checksum. Stores that
 * predate flexible checksums refuse that (Ceph 16 answers 411 MissingContentLength; the local
 * server cannot parse it) and put a CRC32 of an empty body into presigned PUT URLs. On AWS
 * itself (no custom endpoint) the SDK's defaults stay. Integrity does not depend on it: the
 * service sends its own SHA-256 where a store checks it, and verifies the bytes itself where
 * the store does not (see `put` and the upload-session complete step).
 *
 * `credentials` absent: the SDK's default chain (environment, profile, instance role).
 */
export function s3ClientSettingsFor(store: {
  endpoint: string;
  region: string;
  credentials?: S3Credentials;
}): S3ClientConfig {
  return {
    region: store.region,
    endpoint: store.endpoint,
    forcePathStyle: true,
    ...(store.credentials ? { credentials: store.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/**
 * The client for the configured store: AWS S3 with the SDK's defaults, or the custom endpoint
 * with `config.s3Credentials` when given (the local server), else the default credential chain.
 * `overrides` adjust the SDK settings for one use (e.g. presigning, see `staging.ts`).
 */
export function createS3Client(
  config: ServiceConfig,
  overrides: Partial<S3ClientConfig> = {},
): S3Client {
  // Traced on Lambda (lib/observability/tracing.ts); the local endpoint is never traced.
  if (!config.s3Endpoint) return traced(new S3Client({ region: config.region, ...overrides }));
  return new S3Client({
    ...s3ClientSettingsFor({
      endpoint: config.s3Endpoint,
      region: config.region,
      credentials: config.s3Credentials,
    }),
    ...overrides,
  });
}
