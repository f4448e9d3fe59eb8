/**
 * Runtime configuration, read once per process (Lambda cold start or local server start).
 * Every setting has a default that matches `operations.md`, so the local stack needs no env.
 */
import { DEFAULT_INDEX_SHARDS } from './db/keys.ts';
import { booleanFromEnv, intFromEnv } from './env.ts';
import { parseStorageMode, type StorageMode } from './storage/modes.ts';

export { parseStorageMode, STORAGE_MODES, type StorageMode } from './storage/modes.ts';

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
  /*
   * The settings below are optional so that configurations built by hand (tests, the CLI) keep
   * working; `loadConfig` always sets them and the helpers below apply the same defaults.
   */
  /**
   * Fixed credentials for `s3Endpoint`: only the local S3 server's (tests, the CLI's embedded
   * server). Absent: the SDK's default chain (environment, profile, role), as for any real
   * store; `npm start` puts the local server's keys into the environment only when it runs it.
   */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  /** `MEDIA_STORAGE_MODE`; absent: `portable` when `s3Endpoint` is set, else `aws`. */
  storageMode?: StorageMode;
  /** `EVENT_BUS_NAME`: domain events go to this EventBridge bus; absent: NDJSON under `dataDir`. */
  eventBusName?: string;
  /** `DATA_DIR` (default `.data`): where the local stack keeps its data and events file. */
  dataDir?: string;
  /** `MEDIA_ORPHAN_MIN_AGE_SECONDS` (default 3600): younger blobs are never taken for orphans. */
  orphanMinAgeSeconds?: number;
  /** `MEDIA_UPLOAD_URL_SECONDS` (default 900): how long an upload session's PUT URL is valid. */
  uploadUrlSeconds?: number;
  /**
   * `MEDIA_RATE_LIMIT_PER_MINUTE`: requests per minute per API key; 0 (the default under
   * `npm start`) turns limits off. The deployed stack sets it (`rateLimitPerMinute` prop).
   */
  rateLimitPerMinute?: number;
  /** `MEDIA_INDEX_SHARDS` (default `DEFAULT_INDEX_SHARDS`): shards of the hot index partitions. */
  indexShards?: number;
  /** `MEDIA_KEEP_LOCATION` (default false): store image originals with their GPS metadata. */
  keepLocation?: boolean;
}

/** Where `npm start` keeps its data and listens; the admin CLI finds the running stack there. */
export const DEFAULT_DATA_DIR = '.data';
export const DEFAULT_DYNAMODB_PORT = 8000;
export const DEFAULT_S3_PORT = 4569;
export const DEFAULT_ORPHAN_MIN_AGE_SECONDS = 3600;
export const DEFAULT_UPLOAD_URL_SECONDS = 900;

/** The storage implementation a configuration asks for (see `STORAGE_MODES`). */
export function storageModeOf(config: ServiceConfig): StorageMode {
  return config.storageMode ?? (config.s3Endpoint ? 'portable' : 'aws');
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
    storageMode:
      parseStorageMode(process.env.MEDIA_STORAGE_MODE) ??
      (process.env.S3_ENDPOINT ? 'portable' : 'aws'),
    eventBusName: process.env.EVENT_BUS_NAME || undefined,
    dataDir: process.env.DATA_DIR || DEFAULT_DATA_DIR,
    orphanMinAgeSeconds: intFromEnv('MEDIA_ORPHAN_MIN_AGE_SECONDS', DEFAULT_ORPHAN_MIN_AGE_SECONDS),
    uploadUrlSeconds: intFromEnv('MEDIA_UPLOAD_URL_SECONDS', DEFAULT_UPLOAD_URL_SECONDS),
    rateLimitPerMinute: intFromEnv('MEDIA_RATE_LIMIT_PER_MINUTE', 0, { min: 0 }),
    indexShards: intFromEnv('MEDIA_INDEX_SHARDS', DEFAULT_INDEX_SHARDS),
    keepLocation: booleanFromEnv('MEDIA_KEEP_LOCATION', false),
  };
}

/** The process-wide configuration; handlers import this instead of reading `process.env`. */
export const config: ServiceConfig = loadConfig();
