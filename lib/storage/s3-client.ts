import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { ServiceConfig } from '../config.ts';
import { LOCAL_CREDENTIALS } from '../db/client.ts';
import { traced } from '../observability/tracing.ts';

/** `overrides` adjust the SDK settings for one use (e.g. presigning, see `staging.ts`). */
export function createS3Client(
  config: ServiceConfig,
  overrides: Partial<S3ClientConfig> = {},
): S3Client {
  // Traced on Lambda (lib/observability/tracing.ts); the local endpoint is never traced.
  if (!config.s3Endpoint) return traced(new S3Client({ region: config.region, ...overrides }));
  return new S3Client({
    region: config.region,
    endpoint: config.s3Endpoint,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    // The local S3 server predates the SDK's default CRC32 checksums; send them only when an
    // operation requires one (we set SHA-256 checksums explicitly where we want them).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  });
}
