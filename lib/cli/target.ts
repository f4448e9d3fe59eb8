/**
 * Which stores the admin CLI talks to (operations.md: "the local stack by default, using the
 * same DATA_DIR/ports settings as npm start; real AWS when configured"):
 *
 * 1. `DYNAMODB_ENDPOINT` set → that endpoint, as is (tests, a stack on custom ports).
 * 2. `MEDIA_CLI_TARGET=aws` → real DynamoDB: `TABLE_NAME` and `AWS_REGION` must be set, the
 *    default AWS credential chain signs the requests.
 * 3. Otherwise the local stack: DynamoDB Local at 127.0.0.1:`DYNAMODB_PORT` (default 8000), as
 *    `npm start` runs it. If nothing answers there, an embedded DynamoDB Local is started on
 *    `DATA_DIR` (default `.data`, the same files `npm start` uses) on a free port for this one
 *    command and stopped after it (the table is created if missing, as `npm start` does).
 */
import { mkdir } from 'node:fs/promises';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_DYNAMODB_PORT,
  DEFAULT_S3_PORT,
  type ServiceConfig,
} from '../config.ts';
import { createTableContext, LOCAL_CREDENTIALS, type TableContext } from '../db/client.ts';
import { dataDirIndexShards } from '../db/data-dir-shards.ts';
import { mediaStoreFrom } from '../storage/configured-store.ts';
import type { MediaStore } from '../storage/media-store.ts';

/** The environment does not describe a usable target. Exit code 1 (it is not an argv problem). */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}

/** Every target carries the configuration (table name, region) the client is built from. */
export type Target =
  | { kind: 'endpoint'; endpoint: string; config: ServiceConfig }
  | { kind: 'aws'; config: ServiceConfig }
  | {
      kind: 'local';
      port: number;
      dataDir: string;
      config: ServiceConfig;
      /** `MEDIA_INDEX_SHARDS` when set; otherwise the data directory's own count applies. */
      configuredIndexShards?: number;
    };

/**
 * Starts the local stack's stores for one command when none is running. Implemented by
 * `local/stores.ts` and passed in by the CLI's entry point: the domain library never imports
 * the dev stack.
 */
export interface LocalStoreStarters {
  startDynamoDbLocal(options: {
    dataDir: string;
    port: number;
    tableName?: string;
  }): Promise<{ endpoint: string; stop(): Promise<void> }>;
  startS3Server(options: {
    dataDir: string;
    port: number;
    bucketName?: string;
  }): Promise<{ endpoint: string; stop(): Promise<void> }>;
}

type Env = Record<string, string | undefined>;

const set = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** Pure: reads the settings from `env` (pass `process.env`) and `config` (`loadConfig()`). */
export function resolveTarget(env: Env, config: ServiceConfig): Target {
  const mode = set(env.MEDIA_CLI_TARGET)?.toLowerCase() ?? 'local';
  const endpoint = set(env.DYNAMODB_ENDPOINT);
  if (mode === 'aws') {
    if (endpoint) {
      throw new TargetError('MEDIA_CLI_TARGET=aws cannot be combined with DYNAMODB_ENDPOINT');
    }
    if (!set(env.TABLE_NAME)) throw new TargetError('MEDIA_CLI_TARGET=aws needs TABLE_NAME');
    if (!set(env.AWS_REGION) && !set(env.AWS_DEFAULT_REGION)) {
      throw new TargetError('MEDIA_CLI_TARGET=aws needs AWS_REGION');
    }
    return { kind: 'aws', config: { ...config, dynamoEndpoint: undefined } };
  }
  if (mode !== 'local') {
    throw new TargetError(
      `MEDIA_CLI_TARGET must be "local" or "aws", got "${env.MEDIA_CLI_TARGET}"`,
    );
  }
  if (endpoint) {
    try {
      new URL(endpoint);
    } catch {
      throw new TargetError(`DYNAMODB_ENDPOINT must be a URL, got "${endpoint}"`);
    }
    return { kind: 'endpoint', endpoint, config };
  }
  const rawPort = set(env.DYNAMODB_PORT);
  const port = rawPort === undefined ? DEFAULT_DYNAMODB_PORT : Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new TargetError(`DYNAMODB_PORT must be a port number, got "${rawPort}"`);
  }
  const shards = set(env.MEDIA_INDEX_SHARDS);
  return {
    kind: 'local',
    port,
    dataDir: set(env.DATA_DIR) ?? DEFAULT_DATA_DIR,
    config,
    ...(shards === undefined ? {} : { configuredIndexShards: config.indexShards }),
  };
}

export interface OpenedTable {
  ctx: TableContext;
  /** Releases what opening took (stops an embedded DynamoDB Local). Safe to call twice. */
  close(): Promise<void>;
}

function context(target: Target, endpoint: string | undefined): TableContext {
  return createTableContext({ ...target.config, dynamoEndpoint: endpoint });
}

export async function openTarget(
  target: Target,
  starters: LocalStoreStarters,
): Promise<OpenedTable> {
  switch (target.kind) {
    case 'endpoint':
      return { ctx: context(target, target.endpoint), close: async () => {} };
    case 'aws':
      return { ctx: context(target, undefined), close: async () => {} };
    case 'local':
      return openLocal(target, starters);
  }
}

async function openLocal(
  local: Extract<Target, { kind: 'local' }>,
  { startDynamoDbLocal }: LocalStoreStarters,
): Promise<OpenedTable> {
  // The same shard count as `npm start` on this data directory (`data-dir-shards.ts`).
  await mkdir(resolve(local.dataDir), { recursive: true });
  const indexShards = await dataDirIndexShards(resolve(local.dataDir), local.configuredIndexShards);
  const target = { ...local, config: { ...local.config, indexShards } };
  if (await answers('127.0.0.1', target.port)) {
    const endpoint = `http://127.0.0.1:${target.port}`;
    const ctx = context(target, endpoint);
    try {
      await ctx.db.send(new DescribeTableCommand({ TableName: target.config.tableName }));
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new TargetError(
        `port ${target.port} answers but is not a local stack with table ${target.config.tableName} (${reason}); set DYNAMODB_PORT or DYNAMODB_ENDPOINT`,
      );
    }
    return { ctx, close: async () => {} };
  }

  // Nothing running: start the embedded DynamoDB Local on the stack's data directory, only for
  // this command.
  let dynamo: Awaited<ReturnType<typeof startDynamoDbLocal>> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= dynamo ? dynamo.stop() : Promise.resolve();
    return stopping;
  };
  // Never leave java behind, even when the CLI is interrupted mid-command or mid-start (then
  // `process.exit` runs the stores module's exit hook, which kills the JVM it spawned).
  const onSignal = (signal: NodeJS.Signals) => {
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const unhook = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    dynamo = await startDynamoDbLocal({
      dataDir: resolve(target.dataDir),
      port: 0, // a free one: the stack's own port stays free for `npm start`
      tableName: target.config.tableName,
    });
  } catch (error) {
    unhook();
    throw error;
  }
  return {
    ctx: context(target, dynamo.endpoint),
    close: async () => {
      unhook();
      await stop();
    },
  };
}

/** True when something accepts TCP connections on host:port within a second. */
export function answers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (result: boolean) => {
      socket.destroy();
      done(result);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.connect(port, host);
  });
}

export interface OpenedMedia {
  store: MediaStore;
  /** Releases what opening took (stops an embedded S3 server). */
  close(): Promise<void>;
}

/**
 * The media bucket for media commands (`media legal-hold`), on the same target as the table
 * (their domain events follow from the table's change stream, like the API's):
 * - `aws`: the bucket `BUCKET_NAME` (required: the stack outputs it).
 * - `endpoint`: `S3_ENDPOINT` (required) with the storage mode of the environment
 *   (`MEDIA_STORAGE_MODE`).
 * - `local` with `S3_ENDPOINT` set: that store, as `npm start` uses it (its bucket
 *   `BUCKET_NAME`, its `MEDIA_STORAGE_MODE`, default portable; the environment's credentials).
 *   Never a local server instead: a hold placed beside the real store would protect nothing.
 * - `local` otherwise: the local stack's S3 server on 127.0.0.1:`S3_PORT` (default 4569); when
 *   nothing answers there, an embedded one on `DATA_DIR` for this one command.
 */
export async function openMediaTarget(
  target: Target,
  env: Env,
  starters: LocalStoreStarters,
): Promise<OpenedMedia> {
  const opened = (config: ServiceConfig, close = async () => {}): OpenedMedia => ({
    store: mediaStoreFrom(config),
    close,
  });
  switch (target.kind) {
    case 'aws': {
      if (!set(env.BUCKET_NAME)) throw new TargetError('MEDIA_CLI_TARGET=aws needs BUCKET_NAME');
      return opened({ ...target.config, s3Endpoint: undefined, storageMode: 'aws' });
    }
    case 'endpoint': {
      const endpoint = set(env.S3_ENDPOINT);
      if (!endpoint)
        throw new TargetError('DYNAMODB_ENDPOINT needs S3_ENDPOINT for media commands');
      return opened({ ...target.config, s3Endpoint: endpoint });
    }
    case 'local':
      return openLocalMedia(target, env, opened, starters);
  }
}

async function openLocalMedia(
  target: Extract<Target, { kind: 'local' }>,
  env: Env,
  opened: (config: ServiceConfig, close?: () => Promise<void>) => OpenedMedia,
  { startS3Server }: LocalStoreStarters,
): Promise<OpenedMedia> {
  // `npm start` with an external store (scripts/start.ts): the same endpoint, mode and bucket.
  if (target.config.s3Endpoint) return opened({ ...target.config, dataDir: target.dataDir });
  const rawPort = set(env.S3_PORT);
  const port = rawPort === undefined ? DEFAULT_S3_PORT : Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new TargetError(`S3_PORT must be a port number, got "${rawPort}"`);
  }
  const local = {
    ...target.config,
    storageMode: 'portable' as const,
    s3Credentials: LOCAL_CREDENTIALS,
    dataDir: target.dataDir,
  };
  if (await answers('127.0.0.1', port)) {
    return opened({ ...local, s3Endpoint: `http://127.0.0.1:${port}` });
  }
  // Nothing running: the stack's S3 server, in this process, on its data, for this command.
  const s3 = await startS3Server({
    dataDir: resolve(target.dataDir),
    port: 0,
    bucketName: target.config.bucketName,
  });
  return opened({ ...local, s3Endpoint: s3.endpoint }, () => s3.stop());
}
