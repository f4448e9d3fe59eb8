/**
 * 1. Cold-start proxy, per Lambda bundle (one per entry of `functions/routes.ts`).
 *
 * Each function is bundled with the CDK construct's esbuild options (bench/lib/bundle.ts), next
 * to its *floor*: a bundle that only imports and constructs the same AWS SDK clients (found in
 * the real bundle's metafile) and returns a constant, built with the same options. Both run in
 * fresh `node` processes, outside the project (nothing resolvable from node_modules), with the
 * deployed runtime settings (`NODE_OPTIONS=--enable-source-maps`, JSON logs at INFO to a sink).
 *
 * Timed inside the child: `performance.now()` when the first event's result is back, i.e. the
 * time since the process started (Node bootstrap + import/init + one invocation), split into
 * bootstrap, import and invoke. Runs are interleaved (floor, function, floor, …) so machine noise
 * hits both alike; medians over ≥ 10 processes.
 *
 * Two invocations per function:
 * - `served`: a real request against the local stack (DynamoDB Local + S3), a 2xx; it includes
 *   the SDK's first-request work and the round trips to the local stores;
 * - `rejected`: the same route without an API key, a 401 before any store call: import + init +
 *   the Middy chain only. (`/health` has no store-free answer and gets none.)
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RouteDefinition, routes } from '../functions/routes.ts';
import { type BuiltBundle, buildBundle } from './lib/bundle.ts';
import { runNode } from './lib/child.ts';
import { apiEvent, type RequestSpec } from './lib/events.ts';
import { type RequestFixtures, sampleRequest } from './lib/requests.ts';
import { type Stats, summarize } from './lib/stats.ts';

/** Endpoint variables the project's client factories read, per SDK client package. */
const ENDPOINT_ENV: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DYNAMODB_ENDPOINT',
  '@aws-sdk/client-s3': 'S3_ENDPOINT',
};

export interface PreparedFunction {
  route: RouteDefinition;
  bundle: BuiltBundle;
  floor: BuiltBundle;
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
  method: string;
  path: string;
  rawBytes: number;
  gzipBytes: number;
  floorRawBytes: number;
  floorGzipBytes: number;
  floorClients: string[];
  topContributors: Array<{ name: string; bytes: number }>;
  sampleIsGeneric: boolean;
  floorRun: ColdStartVariant;
  served: ColdStartVariant;
  rejected: ColdStartVariant | null;
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

/** Source of the floor bundle for a function whose bundle contains these packages. */
async function floorSource(packages: string[]): Promise<{ source: string; clients: string[] }> {
  const clientPackages = packages.filter((p) => /^@aws-sdk\/client-/.test(p));
  const lines = [
    'const region = process.env.AWS_REGION;',
    'const at = (name, extra = {}) => (process.env[name] ? { endpoint: process.env[name], ...extra } : {});',
    'export const clients = [];',
  ];
  const imports: string[] = [];
  const clients: string[] = [];
  for (const [i, pkg] of clientPackages.entries()) {
    const className = await sdkClientClass(pkg);
    imports.push(`import { ${className} } from '${pkg}';`);
    const envName = ENDPOINT_ENV[pkg];
    const extra = pkg === '@aws-sdk/client-s3' ? ', { forcePathStyle: true }' : '';
    const config = envName ? `{ region, ...at('${envName}'${extra}) }` : '{ region }';
    lines.push(`const client${i} = new ${className}(${config});`);
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
    "export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{\"floor\":true}' });",
  );
  return { source: [...imports, ...lines].join('\n'), clients };
}

/** Builds every function's bundle and its floor under `workDir` (outside the project). */
export async function prepareBundles(workDir: string): Promise<PreparedFunction[]> {
  const prepared: PreparedFunction[] = [];
  for (const route of routes) {
    const bundle = await buildBundle(
      `functions/${route.name}/handler.ts`,
      join(workDir, route.name, 'function'),
    );
    const floor = await floorSource(bundle.packages);
    const floorBundle = await buildBundle(
      { contents: floor.source },
      join(workDir, route.name, 'floor'),
    );
    prepared.push({ route, bundle, floor: floorBundle, floorClients: floor.clients });
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
    statusCode: result?.statusCode ?? null, maxRssMb: process.resourceUsage().maxRSS / 1024 };
} catch (error) {
  out = { ok: false, error: String(error?.stack ?? error) };
}
writeFileSync(resultFile, JSON.stringify(out));
process.exit(0);
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

function lambdaEnv(name: string, stackEnv: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    ...stackEnv,
    AWS_LAMBDA_FUNCTION_NAME: `media-service-${name}`,
    // What the construct sets on every function (infra/service-function.ts, media-service.ts).
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_SERVICE_NAME: 'media',
  };
}

async function runOnce(
  options: ColdStartOptions,
  name: string,
  bundleFile: string,
  request: RequestSpec,
  tag: string,
): Promise<ColdStartRun> {
  const eventFile = join(options.workDir, `event-${name}-${tag}.json`);
  const resultFile = join(options.workDir, `result-${name}-${tag}.json`);
  await writeFile(eventFile, JSON.stringify(apiEvent(request)));
  await rm(resultFile, { force: true });
  const run = await runNode({
    args: [join(options.workDir, 'runner.mjs'), bundleFile, eventFile, resultFile],
    cwd: options.workDir,
    env: lambdaEnv(name, options.stackEnv),
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

export async function measureColdStarts(options: ColdStartOptions): Promise<ColdStartResult[]> {
  await mkdir(options.workDir, { recursive: true });
  await writeFile(join(options.workDir, 'runner.mjs'), RUNNER);
  const results: ColdStartResult[] = [];
  for (const fn of options.prepared) {
    const { route } = fn;
    const floorRuns: ColdStartRun[] = [];
    const servedRuns: ColdStartRun[] = [];
    const rejectedRuns: ColdStartRun[] = [];
    const withRejected = options.rejected && route.name !== 'health';
    let generic = false;
    for (let i = 0; i < options.runs; i++) {
      const sample = sampleRequest(route, options.fixtures);
      generic = !sample.specific;
      floorRuns.push(await runOnce(options, route.name, fn.floor.file, sample, 'floor'));
      if (!withRejected || i < options.servedRuns) {
        servedRuns.push(await runOnce(options, route.name, fn.bundle.file, sample, 'served'));
      }
      if (withRejected) {
        const { key: _key, ...anonymous } = sample;
        rejectedRuns.push(await runOnce(options, route.name, fn.bundle.file, anonymous, 'anon'));
      }
    }
    const floor = variant(floorRuns);
    const served = variant(servedRuns);
    const rejected = withRejected ? variant(rejectedRuns) : null;
    const result: ColdStartResult = {
      name: route.name,
      method: route.method,
      path: route.path,
      rawBytes: fn.bundle.rawBytes,
      gzipBytes: fn.bundle.gzipBytes,
      floorRawBytes: fn.floor.rawBytes,
      floorGzipBytes: fn.floor.gzipBytes,
      floorClients: fn.floorClients,
      topContributors: fn.bundle.contributors.slice(0, 8),
      sampleIsGeneric: generic,
      floorRun: floor,
      served,
      rejected,
      servedRatio: served.totalMs.median / floor.totalMs.median,
      rejectedRatio: rejected ? rejected.totalMs.median / floor.totalMs.median : null,
    };
    options.log(
      `  ${route.name.padEnd(14)} floor ${floor.totalMs.median.toFixed(0)} ms · served ${served.totalMs.median.toFixed(0)} ms (${result.servedRatio.toFixed(2)}×, status ${served.statusCodes.join('/')})` +
        (rejected
          ? ` · rejected ${rejected.totalMs.median.toFixed(0)} ms (${(result.rejectedRatio ?? 0).toFixed(2)}×)`
          : ''),
    );
    results.push(result);
  }
  return results;
}
