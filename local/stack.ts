/**
 * The whole API on one machine: DynamoDB Local + s3rver + the API Gateway stand-in, wired with
 * the environment the handlers read. Used by `npm start` and the integration tests' global
 * setup.
 *
 * Order matters: `lib/config.ts` reads the environment once, at import. This module therefore
 * sets `process.env` first and only then imports anything that reads it (handlers are imported
 * lazily by the HTTP server, `lib/config.ts` dynamically below). One stack per process.
 */
// First: before anything loads the tracer (see the module).
import './untraced-process.ts';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ServiceConfig, StorageMode } from '../lib/config.ts';
import type { TableContext } from '../lib/db/client.ts';
import { createTableContext, LOCAL_CREDENTIALS } from '../lib/db/client.ts';
import { dataDirIndexShards } from '../lib/db/data-dir-shards.ts';
import { intFromEnv } from '../lib/env.ts';
import { defaultMaxBodyBytes, type LocalHttpServer, startHttpServer } from './http-server.ts';
import { enableInvocationScopes } from './invocation-scope.ts';
import { LocalStorageEvents } from './storage-events.ts';
import { type StoragePoller, startStoragePoller } from './storage-poller.ts';
import { type LocalStores, startStores } from './stores.ts';
import { type LocalStreamEvents, startStreamEvents } from './stream-events.ts';
import { type LocalSweeper, startLocalSweeper } from './sweeper.ts';

export interface LocalStackOptions {
  /** API port; 0 picks a free one. */
  port: number;
  host?: string;
  /** Store data lives under `${dataDir}/dynamodb` and `${dataDir}/s3`. */
  dataDir: string;
  /** 0 picks a free port. */
  dynamoPort: number;
  /** 0 picks a free port. */
  s3Port: number;
  tableName?: string;
  bucketName?: string;
  gracePeriodSeconds?: number;
  maxUploadBytes?: number;
  /** Default: base64 size of `maxUploadBytes` + 1 MiB. */
  maxBodyBytes?: number;
  region?: string;
  /**
   * True: `GET /health` answers 503 until `markReady()`, for a caller that still has work to
   * do before the stack counts as ready (npm start: seed the demo and print its keys).
   */
  holdHealthUntilReady?: boolean;
  /**
   * An S3-compatible store the user runs (`S3_ENDPOINT`), used instead of the local S3 server:
   * the bucket is created when missing (for `mode`), the credentials come from the environment
   * / the SDK's default chain, and new uploads are found by polling (such stores cannot call
   * back into this process). Default mode: portable (works on any store).
   */
  externalS3?: { endpoint: string; mode?: StorageMode };
}

export interface LocalStack {
  url: string;
  port: number;
  dynamoEndpoint: string;
  s3Endpoint: string;
  tableName: string;
  bucketName: string;
  dataDir: string;
  /** A client for seeding and inspecting the local table (same settings as the handlers). */
  tableContext: TableContext;
  /** The configuration the handlers run with (the stores, the limits). */
  config: ServiceConfig;
  /** `GET /health` may answer 200 from now on (see `holdHealthUntilReady`). */
  markReady(): void;
  /** Resolves once every storage event so far has been processed (thumbnails written). */
  processingIdle(): Promise<void>;
  /** Stops the API, then both stores; idempotent. */
  stop(): Promise<void>;
  /** Rejects if DynamoDB Local exits while the stack is running (not after `stop()`). */
  failure: Promise<never>;
}

export const DEFAULT_TABLE_NAME = 'media-service';
export const DEFAULT_BUCKET_NAME = 'media-service';

function setEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    process.env[name] = value;
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const bucketName = options.bucketName ?? DEFAULT_BUCKET_NAME;

  // Every request, storage event and sweep run logs in its own invocation scope.
  enableInvocationScopes();

  // Before DynamoDB Local creates its file: a directory with data but no recorded count is
  // from a version that always used 16 shards (`data-dir-shards.ts`).
  await mkdir(dataDir, { recursive: true });
  const indexShards = await dataDirIndexShards(
    dataDir,
    intFromEnv('MEDIA_INDEX_SHARDS', undefined),
  );

  // New stored files drive the processing handler, as S3 → EventBridge → Lambda does on AWS.
  const storageEvents = new LocalStorageEvents({
    bucketName,
    loadHandler: async () => (await import('../functions/process-media/handler.ts')).handler,
  });
  const external = options.externalS3;
  const stores: LocalStores = await startStores({
    dataDir,
    dynamoPort: options.dynamoPort,
    s3Port: options.s3Port,
    tableName,
    bucketName,
    onS3ObjectEvent: storageEvents.dispatch,
    externalS3Endpoint: external?.endpoint,
  });

  let http: LocalHttpServer | undefined;
  let sweeper: LocalSweeper | undefined;
  let poller: StoragePoller | undefined;
  let streamEvents: LocalStreamEvents | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await http?.close();
      await sweeper?.stop();
      await poller?.stop();
      await storageEvents.stop();
      await streamEvents?.stop();
      await stores.stop();
    })();
    return stopping;
  };

  try {
    // Before any handler (and so `lib/config.ts`) is imported.
    setEnv({
      DYNAMODB_ENDPOINT: stores.dynamo.endpoint,
      S3_ENDPOINT: stores.s3.endpoint,
      TABLE_NAME: tableName,
      BUCKET_NAME: bucketName,
      AWS_REGION: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      MEDIA_GRACE_PERIOD_SECONDS: options.gracePeriodSeconds?.toString(),
      MEDIA_MAX_UPLOAD_BYTES: options.maxUploadBytes?.toString(),
      // The local S3 server has no versioning or Object Lock: trash prefix + hold markers.
      MEDIA_STORAGE_MODE: external?.mode ?? 'portable',
      MEDIA_INDEX_SHARDS: String(indexShards),
      // Domain events go to ${DATA_DIR}/events.ndjson, never to a real bus.
      DATA_DIR: dataDir,
    });
    delete process.env.EVENT_BUS_NAME;
    if (!external) {
      // The local emulators' credentials: nothing in this process may reach real AWS. With an
      // external store the user's credentials (environment, profile) stay: they sign for it.
      setEnv({
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      });
      delete process.env.AWS_SESSION_TOKEN;
      delete process.env.AWS_PROFILE;
    }

    const { loadConfig } = await import('../lib/config.ts');
    const config = loadConfig();
    if (external) {
      const { createS3Client } = await import('../lib/storage/s3-client.ts');
      const { ensureMediaBucket } = await import('../lib/storage/bucket-setup.ts');
      const { gracePeriodDaysOf } = await import('../lib/storage/lifecycle-rules.ts');
      const s3 = createS3Client(config);
      await ensureMediaBucket(s3, bucketName, {
        mode: external.mode ?? 'portable',
        gracePeriodDays: gracePeriodDaysOf(config.gracePeriodSeconds),
      });
      poller = await startStoragePoller({ s3, bucketName, onNotification: storageEvents.dispatch });
    }
    sweeper = startLocalSweeper({ config });
    // Domain events: the table's change stream into ${DATA_DIR}/events.ndjson.
    streamEvents = startStreamEvents({
      dynamoEndpoint: stores.dynamo.endpoint,
      tableName,
      dataDir,
    });
    http = await startHttpServer({
      port: options.port,
      host: options.host ?? '127.0.0.1',
      maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes(config.maxUploadBytes),
      ready: !options.holdHealthUntilReady,
    });
    const server = http;

    const failure = stores.dynamo.exited.then(({ code, signal }) => {
      if (stopping) return new Promise<never>(() => {});
      throw new Error(
        `DynamoDB Local stopped unexpectedly (${signal ? `signal ${signal}` : `code ${code}`})`,
      );
    });
    failure.catch(() => {}); // observed by whoever awaits it

    return {
      url: http.url,
      port: http.port,
      dynamoEndpoint: stores.dynamo.endpoint,
      s3Endpoint: stores.s3.endpoint,
      tableName,
      bucketName,
      dataDir,
      tableContext: createTableContext(config),
      config,
      markReady: () => server.setReady(true),
      processingIdle: () => storageEvents.idle(),
      stop,
      failure,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
