/**
 * Runtime configuration, read once per process (Lambda cold start or local server start).
 * Every setting has a default that matches `operations.md`, so the local stack needs no env.
 */

function intFromEnv(name: string, fallback: number, { min = 1 } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

export interface ServiceConfig {
  /** DynamoDB table holding the directory and the attachment records. */
  tableName: string;
  /** S3 bucket holding the media blobs. */
  bucketName: string;
  /** Largest decoded upload accepted, in bytes (media-api.md: 50 MB). */
  maxUploadBytes: number;
  /** How long a deleted file stays restorable before it is purged. */
  gracePeriodSeconds: number;
  /** Set locally to point the SDK clients at DynamoDB Local / the local S3 server. */
  dynamoEndpoint: string | undefined;
  s3Endpoint: string | undefined;
  region: string;
}

export function loadConfig(): ServiceConfig {
  return {
    tableName: process.env.TABLE_NAME || 'media-service',
    bucketName: process.env.BUCKET_NAME || 'media-service',
    maxUploadBytes: intFromEnv('MEDIA_MAX_UPLOAD_BYTES', 52_428_800),
    gracePeriodSeconds: intFromEnv('MEDIA_GRACE_PERIOD_SECONDS', 604_800),
    dynamoEndpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    s3Endpoint: process.env.S3_ENDPOINT || undefined,
    region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
  };
}

/** The process-wide configuration; handlers import this instead of reading `process.env`. */
export const config: ServiceConfig = loadConfig();
