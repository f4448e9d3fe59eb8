/**
 * 1. Cold-start proxy, per Lambda function: each API function once (several routes may share
 * one, e.g. serve-file's four; it is measured through its first route), and the processing
 * function (`WORKERS`).
 *
 * Each function is bundled with the CDK construct's esbuild options (bench/lib/bundle.ts), next
 * to its *floor*: a bundle that only imports and constructs the same AWS SDK clients (found in
 * the real bundle's metafile) and returns a constant, built with the same options. Both run in
 * fresh `node` processes, outside the project (nothing resolvable from node_modules but a
 * function's installed packages, `INSTALLED_PACKAGES`), with the deployed runtime settings
 * (`NODE_OPTIONS=--enable-source-maps`, JSON logs at INFO and EMF metrics to a sink) and X-Ray
 * tracing on as on Lambda (`lambdaEnv`: the tracer traces the SDK clients and sends its segments
 * to a local UDP sink standing for the X-Ray daemon; the floor, like any untraced code, ignores it).
 *
 * Timed inside the child: `performance.now()` when the first event's result is back, i.e. the
 * time since the process started (Node bootstrap + import/init + one invocation), split into
 * bootstrap, import and invoke. Runs are interleaved (floor, function, floor, …) so machine noise
 * hits both alike; medians over ≥ 10 processes.
 *
 * Two invocations per function:
 * - `served`: a real request against the local stack (DynamoDB Local + S3), a 2xx; it includes
 *   the SDK's first-request work and the round trips to the local stores; for the processing
 *   function, a redelivered event of a stored file (its record read, nothing left to do);
 * - `rejected`: the same route without an API key, a 401 before any store call: import + init +
 *   the Middy chain only; for the processing function, a batch whose message names no stored
 *   file (a thumbnail's key), acknowledged without a store call. (`/health` has no store-free
 *   answer and gets none.)
 */

import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { type RouteDefinition, routes, UNMATCHED_ROUTE_FUNCTION } from '../functions/routes.ts';
import { config } from '../lib/config.ts';
import { type BuiltBundle, buildBundle } from './lib/bundle.ts';
import { runNode } from './lib/child.ts';
import { apiEvent } from './lib/events.ts';
import { type RequestFixtures, sampleRequest } from './lib/requests.ts';
import { type Stats, summarize } from './lib/stats.ts';

/** Endpoint variables the project's client factories read, per SDK client package. */
const ENDPOINT_ENV: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DYNAMODB_ENDPOINT',
  '@aws-sdk/client-s3': 'S3_ENDPOINT',
};

/** A measured function: an API function through one of its routes, or a worker. */
export interface ColdFunction {
  name: string;
  /** The route it is measured through; `null` for a worker. */
  route: RouteDefinition | null;
}

/** Functions fed by something else than HTTP, with their events below (`workerEvent`). */
const WORKERS = ['process-media'] as const;

/**
 * Each function once: the API functions through their first route, the `$default` route's
 * (through a path no route has), then the workers.
 */
export function coldFunctions(): ColdFunction[] {
  const seen = new Set<string>();
  const api: ColdFunction[] = [];
  for (const route of routes) {
    if (seen.has(route.name)) continue;
    seen.add(route.name);
    api.push({ name: route.name, route });
  }
  const unmatched = { name: UNMATCHED_ROUTE_FUNCTION, method: 'GET', path: '$default' } as const;
  api.push({ name: UNMATCHED_ROUTE_FUNCTION, route: unmatched });
  return [...api, ...WORKERS.map((name) => ({ name, route: null }))];
}

export interface PreparedFunction {
  fn: ColdFunction;
  bundle: BuiltBundle;
  floor: BuiltBundle;
  /** The floor plus the required observability (`OBSERVED_*`). */
  observedFloor: BuiltBundle;
  /** SDK client classes the floor constructs, e.g. `DynamoDBDocumentClient(DynamoDBClient)`. */
  floorClients: string[];
}

export interface ColdStartRun {
  bootMs: number;
  importMs: number;
  invokeMs: number;
  totalMs: number;
  statusCode: number | null;
  maxRssMb: number;
}

export interface ColdStartVariant {
  totalMs: Stats;
  bootMs: Stats;
  importMs: Stats;
  invokeMs: Stats;
  maxRssMb: Stats;
  statusCodes: number[];
}

export interface ColdStartResult {
  name: string;
  /** What invokes it: the measured route (`GET /health`) or the worker's trigger. */
  trigger: string;
  rawBytes: number;
  gzipBytes: number;
  floorRawBytes: number;
  floorGzipBytes: number;
  floorClients: string[];
  topContributors: Array<{ name: string; bytes: number }>;
  sampleIsGeneric: boolean;
  floorRun: ColdStartVariant;
  /** The observed floor (same clients, traced, one log line and metric): a diagnostic. */
  observedFloorRun: ColdStartVariant;
  observedFloorRawBytes: number;
  served: ColdStartVariant;
  rejected: ColdStartVariant | null;
  /** X-Ray segments the function's processes sent to the local daemon sink (tracing on). */
  traceSegments: number;
  /** median(served.totalMs) / median(floor.totalMs) */
  servedRatio: number;
  rejectedRatio: number | null;
}

async function sdkClientClass(pkg: string): Promise<string> {
  const module = (await import(pkg)) as Record<string, unknown>;
  const names = Object.entries(module)
    .filter(
      ([name, value]) =>
        name.endsWith('Client') &&
        !name.startsWith('_') &&
        typeof value === 'function' &&
        typeof (value as { prototype?: { send?: unknown } }).prototype?.send === 'function',
    )
    .map(([name]) => name);
  if (names.length !== 1) throw new Error(`cannot tell the client class of ${pkg}: ${names}`);
  return names[0] as string;
}

/**
 * The observed floor's additions (a diagnostic, no budget): Powertools' Tracer tracing the same
 * clients (as `lib/observability/tracing.ts` configures it), its Logger and Metrics, and per
 * invocation what any traced, logged, measured function does at least: a handler subsegment,
 * the ColdStart metric, one log line, one EMF document. fn* over this floor is the cost of the
 * service's own code on top of the observability issue 14 requires.
 */
const OBSERVED_IMPORTS = [
  "import { Tracer } from '@aws-lambda-powertools/tracer';",
  "import { Logger } from '@aws-lambda-powertools/logger';",
  "import { Metrics } from '@aws-lambda-powertools/metrics';",
];
const OBSERVED_INIT = [
  "const tracer = new Tracer({ serviceName: 'media', captureHTTPsRequests: false });",
  "const logger = new Logger({ serviceName: 'media' });",
  "const metrics = new Metrics({ namespace: 'MediaService', serviceName: 'media', logger });",
  'const traced = (client) => tracer.captureAWSv3Client(client);',
];
const OBSERVED_HANDLER = `export const handler = async (_event, context) => {
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment('## ' + process.env._HANDLER);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  metrics.captureColdStartMetric(context.functionName);
  logger.info('request completed', { statusCode: 200 });
  metrics.addDimension('route', 'floor');
  metrics.addMetric('Requests', 'Count', 1);
  metrics.publishStoredMetrics();
  subsegment?.close();
  if (segment) tracer.setSegment(segment);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"floor":true}' };
};`;

/**
 * Source of the floor bundle for a function whose bundle contains these packages; `observed`:
 * the observed floor (`OBSERVED_*`).
 */
async function floorSource(
  packages: string[],
  observed = false,
): Promise<{ source: string; clients: string[] }> {
  const clientPackages = packages.filter((p) => /^@aws-sdk\/client-/.test(p));
  const lines = [
    ...(observed ? OBSERVED_INIT : ['const traced = (client) => client;']),
    'const region = process.env.AWS_REGION;',
    'const at = (name, extra = {}) => (process.env[name] ? { endpoint: process.env[name], ...extra } : {});',
    'export const clients = [];',
  ];
  const imports: string[] = observed ? [...OBSERVED_IMPORTS] : [];
  const clients: string[] = [];
  for (const [i, pkg] of clientPackages.entries()) {
    const className = await sdkClientClass(pkg);
    imports.push(`import { ${className} } from '${pkg}';`);
    const envName = ENDPOINT_ENV[pkg];
    const extra = pkg === '@aws-sdk/client-s3' ? ', { forcePathStyle: true }' : '';
    const config = envName ? `{ region, ...at('${envName}'${extra}) }` : '{ region }';
    lines.push(`const client${i} = traced(new ${className}(${config}));`);
    if (pkg === '@aws-sdk/client-dynamodb' && packages.includes('@aws-sdk/lib-dynamodb')) {
      imports.push("import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';");
      lines.push(
        `clients.push(DynamoDBDocumentClient.from(client${i}, { marshallOptions: { removeUndefinedValues: true } }));`,
      );
      clients.push(`DynamoDBDocumentClient(${className})`);
    } else {
      lines.push(`clients.push(client${i});`);
      clients.push(className);
    }
  }
  lines.push(
    observed
      ? OBSERVED_HANDLER
      : "export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{\"floor\":true}' });",
  );
  return { source: [...imports, ...lines].join('\n'), clients };
}

/** Builds every function's bundle and its floor under `workDir` (outside the project). */
export async function prepareBundles(workDir: string): Promise<PreparedFunction[]> {
  const prepared: PreparedFunction[] = [];
  for (const fn of coldFunctions()) {
    const bundle = await buildBundle(
      `functions/${fn.name}/handler.ts`,
      join(workDir, fn.name, 'function'),
      fn.name,
    );
    const floor = await floorSource(bundle.packages);
    const floorBundle = await buildBundle(
      { contents: floor.source },
      join(workDir, fn.name, 'floor'),
    );
    const observed = await buildBundle(
      { contents: (await floorSource(bundle.packages, true)).source },
      join(workDir, fn.name, 'observed-floor'),
    );
    prepared.push({
      fn,
      bundle,
      floor: floorBundle,
      observedFloor: observed,
      floorClients: floor.clients,
    });
  }
  return prepared;
}

/** Runs in the child: the Lambda runtime's part (import the handler, invoke it once). */
const RUNNER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventFile, resultFile] = process.argv.slice(2);
const bootMs = performance.now();
let out;
try {
  const event = JSON.parse(readFileSync(eventFile, 'utf8'));
  const mod = await import(pathToFileURL(bundle).href);
  const imported = performance.now();
  const deadline = Date.now() + 30000;
  const context = {
    awsRequestId: 'cold-' + process.pid, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST', memoryLimitInMB: '1024', callbackWaitsForEmptyEventLoop: true,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
    logGroupName: '/aws/lambda/bench', logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {}, fail() {}, succeed() {},
  };
  const result = await mod.handler(event, context);
  const done = performance.now();
  out = { ok: true, bootMs, importMs: imported - bootMs, invokeMs: done - imported, totalMs: done,
    // A worker's batch response: 200 when every message was acknowledged, 500 otherwise.
    statusCode: result?.statusCode ?? (Array.isArray(result?.batchItemFailures)
      ? (result.batchItemFailures.length === 0 ? 200 : 500) : null), maxRssMb: process.resourceUsage().maxRSS / 1024 };
} catch (error) {
  out = { ok: false, error: String(error?.stack ?? error) };
}
writeFileSync(resultFile, JSON.stringify(out));
// Measured already; a moment for what the function still sends once it has answered (X-Ray
// subsegments over UDP), as a Lambda environment lives on after its response. Then exit,
// whatever keeps the loop alive (the SDK's keep-alive sockets).
setTimeout(() => process.exit(0), 25);
`;

export interface ColdStartOptions {
  workDir: string;
  prepared: PreparedFunction[];
  runs: number;
  /** Runs of the `served` variant (≤ runs) where a store-free variant carries the budget. */
  servedRuns: number;
  /** Environment the stack's handlers run with (store endpoints, table, bucket, …). */
  stackEnv: Record<string, string>;
  fixtures: RequestFixtures;
  /** Also measure the store-free 401 invocation. */
  rejected: boolean;
  log: (line: string) => void;
}

/** A trace header as the Lambda runtime sets it for a sampled invocation. */
const TRACE_HEADER = 'Root=1-67a1b2c3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1';

/**
 * What Lambda sets and the project reads (Powertools, the X-Ray SDK), for the function `name`.
 * `AWS_EXECUTION_ENV` and `LAMBDA_TASK_ROOT` turn tracing on as on Lambda; the daemon address
 * is the bench's UDP sink on 127.0.0.1 (on Lambda, the X-Ray daemon's).
 */
function lambdaEnv(
  name: string,
  bundleDir: string,
  daemonPort: number,
  stackEnv: Record<string, string>,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    ...stackEnv,
    AWS_LAMBDA_FUNCTION_NAME: `media-service-${name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: bundleDir,
    _HANDLER: 'index.handler',
    _X_AMZN_TRACE_ID: TRACE_HEADER,
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemonPort}`,
    // What the construct sets on every function (infra/service-function.ts, media-service.ts).
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_SERVICE_NAME: 'media',
  };
}

/** An SQS batch of one message whose body is `body`, as the processing queue delivers it. */
function sqsEvent(body: unknown): SQSEvent {
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'cold-start',
        body: JSON.stringify(body),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'events.amazonaws.com',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:media-processing',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

/** S3's "Object Created" event through EventBridge, for `key` in `bucket`. */
function objectCreated(bucket: string, key: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { bucket: { name: bucket }, object: { key } },
  };
}

/** A worker's events: `served` does the function's work, `rejected` is acknowledged at once. */
function workerEvent(
  name: string,
  variant: 'served' | 'rejected',
  options: ColdStartOptions,
): SQSEvent {
  if (name !== 'process-media') throw new Error(`no cold-start event for the worker ${name}`);
  // The stack's bucket, which the children's configuration names too (same environment).
  const bucket = config.bucketName;
  const storedKey = new URL(options.fixtures.storedFileUrl, 'http://x').pathname.replace(
    /^\/api\/media\//,
    '',
  );
  const key = variant === 'served' ? storedKey : storedKey.replace(/^uploads\//, 'thumbnails/');
  return sqsEvent(objectCreated(bucket, key));
}

/**
 * Stands for the X-Ray daemon: counts the UDP datagrams (one per segment or subsegment) the
 * traced functions send, and drops them.
 */
async function startDaemonSink(): Promise<{
  port: number;
  received: () => number;
  stop: () => void;
}> {
  const socket = createSocket('udp4');
  let count = 0;
  socket.on('message', () => {
    count += 1;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, received: () => count, stop: () => socket.close() };
}

async function runOnce(
  options: ColdStartOptions,
  daemonPort: number,
  name: string,
  bundleFile: string,
  event: unknown,
  tag: string,
): Promise<ColdStartRun> {
  const eventFile = join(options.workDir, `event-${name}-${tag}.json`);
  const resultFile = join(options.workDir, `result-${name}-${tag}.json`);
  await writeFile(eventFile, JSON.stringify(event));
  await rm(resultFile, { force: true });
  const run = await runNode({
    args: [join(options.workDir, 'runner.mjs'), bundleFile, eventFile, resultFile],
    cwd: options.workDir,
    env: lambdaEnv(name, dirname(bundleFile), daemonPort, options.stackEnv),
    timeoutMs: 60_000,
  });
  const text = await readFile(resultFile, 'utf8').catch(() => '');
  const out = text ? (JSON.parse(text) as ColdStartRun & { ok: boolean; error?: string }) : null;
  if (!out?.ok) {
    throw new Error(
      `cold start of ${name} (${tag}) failed: ${out?.error ?? run.stderr.slice(-2_000)}`,
    );
  }
  return out;
}

function variant(runs: ColdStartRun[]): ColdStartVariant {
  return {
    totalMs: summarize(runs.map((r) => r.totalMs)),
    bootMs: summarize(runs.map((r) => r.bootMs)),
    importMs: summarize(runs.map((r) => r.importMs)),
    invokeMs: summarize(runs.map((r) => r.invokeMs)),
    maxRssMb: summarize(runs.map((r) => r.maxRssMb)),
    statusCodes: [...new Set(runs.map((r) => r.statusCode ?? 0))].sort(),
  };
}

/** The two events of a function: `served` and `rejected` (store-free). */
function eventsOf(fn: ColdFunction, options: ColdStartOptions) {
  if (!fn.route) {
    return {
      generic: false,
      served: workerEvent(fn.name, 'served', options),
      rejected: workerEvent(fn.name, 'rejected', options),
    };
  }
  const sample = sampleRequest(fn.route, options.fixtures);
  const { key: _key, ...anonymous } = sample;
  return { generic: !sample.specific, served: apiEvent(sample), rejected: apiEvent(anonymous) };
}

export async function measureColdStarts(options: ColdStartOptions): Promise<ColdStartResult[]> {
  await mkdir(options.workDir, { recursive: true });
  await writeFile(join(options.workDir, 'runner.mjs'), RUNNER);
  const daemon = await startDaemonSink();
  const results: ColdStartResult[] = [];
  try {
    for (const prepared of options.prepared) {
      const { fn } = prepared;
      const floorRuns: ColdStartRun[] = [];
      const observedRuns: ColdStartRun[] = [];
      const servedRuns: ColdStartRun[] = [];
      const rejectedRuns: ColdStartRun[] = [];
      const withRejected = options.rejected && fn.name !== 'health';
      const segmentsBefore = daemon.received();
      let generic = false;
      const run = (file: string, event: unknown, tag: string) =>
        runOnce(options, daemon.port, fn.name, file, event, tag);
      for (let i = 0; i < options.runs; i++) {
        const events = eventsOf(fn, options);
        generic = events.generic;
        floorRuns.push(await run(prepared.floor.file, events.served, 'floor'));
        observedRuns.push(await run(prepared.observedFloor.file, events.served, 'observed'));
        if (!withRejected || i < options.servedRuns) {
          servedRuns.push(await run(prepared.bundle.file, events.served, 'served'));
        }
        if (withRejected) {
          rejectedRuns.push(await run(prepared.bundle.file, events.rejected, 'anon'));
        }
      }
      const floor = variant(floorRuns);
      const served = variant(servedRuns);
      const rejected = withRejected ? variant(rejectedRuns) : null;
      const result: ColdStartResult = {
        name: fn.name,
        trigger: fn.route ? `${fn.route.method} ${fn.route.path}` : 'SQS batch (processing queue)',
        rawBytes: prepared.bundle.rawBytes,
        gzipBytes: prepared.bundle.gzipBytes,
        floorRawBytes: prepared.floor.rawBytes,
        floorGzipBytes: prepared.floor.gzipBytes,
        floorClients: prepared.floorClients,
        topContributors: prepared.bundle.contributors.slice(0, 8),
        sampleIsGeneric: generic,
        floorRun: floor,
        observedFloorRun: variant(observedRuns),
        observedFloorRawBytes: prepared.observedFloor.rawBytes,
        served,
        rejected,
        traceSegments: daemon.received() - segmentsBefore,
        servedRatio: served.totalMs.median / floor.totalMs.median,
        rejectedRatio: rejected ? rejected.totalMs.median / floor.totalMs.median : null,
      };
      options.log(
        `  ${fn.name.padEnd(14)} floor ${floor.totalMs.median.toFixed(0)} ms · served ${served.totalMs.median.toFixed(0)} ms (${result.servedRatio.toFixed(2)}×, status ${served.statusCodes.join('/')})` +
          (rejected
            ? ` · rejected ${rejected.totalMs.median.toFixed(0)} ms (${(result.rejectedRatio ?? 0).toFixed(2)}×)`
            : '') +
          ` · ${result.traceSegments} X-Ray segments`,
      );
      results.push(result);
    }
  } finally {
    daemon.stop();
  }
  return results;
}
