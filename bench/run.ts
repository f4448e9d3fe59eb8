/**
 * `npm run bench` (`tsx bench/run.ts [--quick] [--only=cold,overhead,http,list,upload,writes,guards,processing,decode] [--list-layout=lean|all] [--keep]`)
 *
 * Starts the local stack on free ports with a temporary DATA_DIR, seeds the datasets, runs every
 * measurement of issue 7, prints a table and writes `bench/results/latest.json`. Every load is
 * bounded in requests and time and targets 127.0.0.1 only. See bench/README.md for the method.
 *
 * Import order matters: `lib/config.ts` reads the environment once, at import, and the stack
 * sets that environment. So this file imports nothing that reaches `lib/config.ts` statically;
 * everything else is imported after the stack has started.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Budget, budget, fixed, kib, machineInfo, table } from './lib/report.ts';
import { round } from './lib/stats.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const keep = args.includes('--keep');
const onlyArg = args.find((a) => a.startsWith('--only='));
/** Index layout of the list-cost table (lib/db/table-definition.ts): lean, as a new local table. */
const listLayout = args.find((a) => a.startsWith('--list-layout='))?.slice('--list-layout='.length);
if (listLayout !== undefined && listLayout !== 'lean' && listLayout !== 'all') {
  throw new Error(`--list-layout: lean or all, not ${listLayout}`);
}
const ALL = [
  'list',
  'cold',
  'overhead',
  'http',
  'upload',
  'npmstart',
  'writes',
  'guards',
  'processing',
  'decode',
] as const;
type Part = (typeof ALL)[number];
const only = new Set<Part>(
  onlyArg ? (onlyArg.slice('--only='.length).split(',') as Part[]) : [...ALL],
);
for (const part of only) {
  if (!ALL.includes(part)) throw new Error(`--only: unknown part ${part} (${ALL.join(', ')})`);
}

const MODE = quick
  ? {
      name: 'quick',
      httpDatasetSize: 2_000,
      listSizes: [1_000, 10_000],
      listPages: 5,
      coldRuns: 10,
      coldServedRuns: 3,
      overhead: { repeats: 1, iterations: 2_000, warmup: 300 },
      http: {
        repeats: 1,
        amount: { read: [25, 64], upload: [10, 32], delete: [25, 48] },
        maxSecondsPerRun: 2.5,
        warmup: 3,
      },
      upload: { sizesMb: [1, 10, 50], repeats: 1 },
      npmStart: {
        repeats: 1,
        amount: { read: [30, 200], upload: [20, 160], delete: [20, 60] },
        maxSecondsPerRun: 10,
        warmup: 5,
      },
      guards: { requests: 100, svgRepeats: 3 },
      processing: { repeats: 5 },
      writes: { operations: 10, burst: 800 },
      decode: { processes: 2, warmRuns: 2 },
      watchdogMinutes: 12,
    }
  : {
      name: 'full',
      httpDatasetSize: 10_000,
      listSizes: [1_000, 10_000, 100_000],
      listPages: 10,
      coldRuns: 15,
      coldServedRuns: 15,
      overhead: { repeats: 3, iterations: 5_000, warmup: 500 },
      http: {
        repeats: 3,
        amount: { read: [200, 600], upload: [50, 160], delete: [100, 320] },
        maxSecondsPerRun: 8,
        warmup: 10,
      },
      upload: { sizesMb: [1, 10, 50], repeats: 3 },
      npmStart: {
        repeats: 3,
        amount: { read: [100, 600], upload: [50, 300], delete: [50, 150] },
        maxSecondsPerRun: 20,
        warmup: 5,
      },
      guards: { requests: 300, svgRepeats: 5 },
      processing: { repeats: 15 },
      writes: { operations: 30, burst: 3_200 },
      decode: { processes: 5, warmRuns: 3 },
      watchdogMinutes: 45,
    };

const BUDGETS = {
  coldStartRatio: 1.3,
  bundleBytes: 1_048_576,
  handlerP50Ms: 1,
  listFlatRatio: 1.1,
  listIdealRatio: 1.5,
  uploadRatio50: 2.5,
  /** Issue 15's targets for the "as npm start runs" scenario (median over repeats). */
  npmStart: {
    perSecondAtC8: { get: 300, list: 150, upload: 100, delete: 60 },
    p50MsAtC1: { get: 10, list: 10, upload: 30, delete: 30 },
  },
  rateLimitCallsPerRequest: 1,
  idempotencyCallsPerRequest: 2,
  svg50MbMs: 250,
  /** Largest share of a burst's writes on one key of a sharded index, × shard count. */
  burstShareRatio: 1.1,
  /** Peak RSS of the costliest thumbnail, as a share of the processing function's memory. */
  decodeMemoryShare: 0.8,
};

const started = Date.now();
const log = (line: string) => {
  const seconds = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[${seconds}s] ${line}\n`);
};

// Every measurement is bounded; this is the backstop for a hung store.
const watchdog = setTimeout(() => {
  process.stderr.write(`bench: gave up after ${MODE.watchdogMinutes} minutes\n`);
  process.exit(2);
}, MODE.watchdogMinutes * 60_000);
watchdog.unref();

// The handlers behind the local HTTP server run in this process: keep their logs out of the
// output (the in-process and cold-start children log at INFO, as deployed).
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const machine = machineInfo();
const workDir = await mkdtemp(join(tmpdir(), 'media-bench-'));
const errors: Record<string, string> = {};
const results: Record<string, unknown> = {};
const budgets: Budget[] = [];
const printed: string[] = [];

log(`mode ${MODE.name}, node ${process.version}, ${machine.cpuCount} × ${machine.cpuModel}`);
log(`work dir ${workDir}`);

const envBefore = { ...process.env };
const { startLocalStack } = await import('../local/stack.ts');
type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;
// "As npm start runs" starts its own npm start processes: an in-process stack beside them
// would only add load (and one more JVM start to wait for on a busy machine).
const needsStack = [...only].some((name) => name !== 'npmstart');
const stack: LocalStack = needsStack
  ? await startLocalStack({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(workDir, 'data'),
      dynamoPort: 0,
      s3Port: 0,
    })
  : new Proxy({} as LocalStack, {
      get: (_target, property) => {
        if (property === 'stop') return async () => {};
        throw new Error(
          `the in-process stack was not started (--only=npmstart): ${String(property)}`,
        );
      },
    });
/** What the stack put in the environment: the handlers' settings, passed on to children. */
const stackEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined &&
      envBefore[entry[0]] !== entry[1] &&
      // The local stack's invocation scopes (local/invocation-scope.ts), not a handler setting:
      // on Lambda only a multi-concurrency runtime sets it, and that runtime provides the
      // InvokeStore Powertools then requires.
      entry[0] !== 'AWS_LAMBDA_MAX_CONCURRENCY',
  ),
);
if (needsStack) log(`local stack at ${stack.url}`);

async function part<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    errors[name] = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`${name} FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

try {
  const { seedDataset } = await import('./lib/seed.ts');
  const { pngOfSize } = await import('./lib/png.ts');
  const { requestFixtures } = await import('./lib/stack-fixtures.ts');
  const { prepareBundles, measureColdStarts } = await import('./cold-start.ts');
  const { measureHandlerOverhead } = await import('./handler-overhead.ts');
  const { measureHttp } = await import('./http-load.ts');
  const { measureListCost, LIST_SCENARIOS } = await import('./list-cost.ts');
  const { measureUploadMemory } = await import('./upload-memory.ts');
  const { measureNpmStart } = await import('./npm-start.ts');
  type NpmStartLimits = import('./npm-start.ts').NpmStartLimits;
  const { measureRequestGuards } = await import('./request-guards.ts');
  const { startMemoryDynamo } = await import('./lib/memory-dynamodb.ts');
  const { CapacityMeter } = await import('./lib/capacity.ts');
  const { functionAccess, PROCESSING_MEMORY_MB } = await import('../infra/function-access.ts');

  const needsStackData = only.has('cold') || only.has('http') || only.has('upload');
  const smallPng = (await pngOfSize(4_096)).toString('base64');

  // ── Seeding (and bundling) in parallel: nothing is being measured yet ──────────────────────
  log(
    `seeding: ${needsStackData ? `${MODE.httpDatasetSize} attachments on the stack` : 'nothing on the stack'}` +
      (only.has('list')
        ? `, list datasets ${MODE.listSizes.join(' / ')} (in-memory DynamoDB Local)`
        : '') +
      (only.has('cold') ? '; bundling every function and its floor' : ''),
  );
  const seedStarted = Date.now();
  const [httpDataset, uploadsDataset, listSetup, prepared] = await Promise.all([
    needsStackData
      ? seedDataset(stack.tableContext, { size: MODE.httpDatasetSize, seed: 42 })
      : undefined,
    // Uploads (HTTP, cold start, memory) land in a workspace of their own.
    needsStackData ? seedDataset(stack.tableContext, { size: 0, seed: 43, posts: 4 }) : undefined,
    only.has('list')
      ? (async () => {
          const memory = await startMemoryDynamo(undefined, listLayout);
          const seedTable = memory.newTable();
          const datasets = [];
          for (const size of MODE.listSizes) {
            const t = Date.now();
            datasets.push(await seedDataset(seedTable, { size, seed: size, writeConcurrency: 2 }));
            log(`  list dataset ${size}: ${((Date.now() - t) / 1000).toFixed(0)} s`);
          }
          return { memory, datasets };
        })()
      : undefined,
    only.has('cold') ? prepareBundles(join(workDir, 'bundles')) : undefined,
  ]);
  results.seeding = { seconds: round((Date.now() - seedStarted) / 1000, 1) };
  log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s`);

  // ── 3. List cost ───────────────────────────────────────────────────────────────────────────
  if (listSetup) {
    log('list cost (consumed capacity per page of 50)');
    const list = await part('list', async () => {
      const table = listSetup.memory.newTable();
      const meter = new CapacityMeter();
      meter.install(table.db);
      return measureListCost({
        table,
        meter,
        datasets: listSetup.datasets,
        pages: MODE.listPages,
        log,
      });
    });
    await listSetup.memory.stop();
    if (list) {
      results.listCost = {
        layout: listLayout ?? 'lean',
        ...list,
        cells: list.cells.map(({ pages: _pages, ...cell }) => cell),
        datasets: listSetup.datasets.map((d) => ({ size: d.size, ...d.counts })),
      };
      const smallest = Math.min(...MODE.listSizes);
      const largest = Math.max(...MODE.listSizes);
      const rows: Array<Array<string | number>> = [];
      for (const scenario of LIST_SCENARIOS) {
        const cells = list.cells.filter((c) => c.scenario === scenario.id);
        for (const cell of cells) {
          rows.push([
            scenario.id,
            cell.size,
            fixed(cell.rcuPerPage.median),
            fixed(cell.idealRcuPerPage.median),
            fixed(cell.ratio.median, 2),
            fixed(cell.ratio.max, 2),
            fixed(cell.itemsReadPerPage.median, 0),
            `${fixed(cell.indexItemsPerPage.median, 0)}/${fixed(cell.minimumExaminedPerPage.median, 0)}`,
            cell.pagesWalked,
          ]);
          budgets.push(
            budget(
              `list-ideal:${scenario.id}@${cell.size}`,
              `list ${scenario.id} at ${cell.size}: RCU/page ≤ ${BUDGETS.listIdealRatio}× ideal (median over pages)`,
              round(cell.ratio.median, 3),
              BUDGETS.listIdealRatio,
              '×',
            ),
          );
        }
        const small = cells.find((c) => c.size === smallest);
        const large = cells.find((c) => c.size === largest);
        if (small && large) {
          budgets.push(
            budget(
              `list-flat:${scenario.id}`,
              `list ${scenario.id}: RCU/page at ${largest} ≤ ${BUDGETS.listFlatRatio}× at ${smallest}`,
              round(large.rcuPerPage.median / small.rcuPerPage.median, 3),
              BUDGETS.listFlatRatio,
              '×',
              largest < 100_000 ? 'quick mode: largest dataset is 10k, not 100k' : undefined,
            ),
          );
        }
      }
      printed.push(
        `List cost per page of 50 (RCU from DynamoDB Local, ${listLayout ?? 'lean'} index layout; model check: Query of ${list.modelCheck.items} items reported ${list.modelCheck.reportedRcu} RCU, size model ${list.modelCheck.modelledRcu})\n` +
          table(
            [
              'scenario',
              'items',
              'RCU',
              'ideal',
              '×ideal',
              'max×',
              'read',
              'index/needed',
              'pages',
            ],
            rows,
          ),
      );
    }
  }

  // ── 5. Write cost and partition spread ──────────────────────────────────────────────────────
  if (only.has('writes')) {
    log('write cost (consumed write capacity per operation) and a burst into one workspace');
    const writes = await part('writes', async () => {
      const { measureWriteCost } = await import('./write-cost.ts');
      const { loadConfig } = await import('../lib/config.ts');
      const { createDynamoClient } = await import('../lib/db/client.ts');
      const memory = await startMemoryDynamo();
      try {
        const { DEFAULT_INDEX_SHARDS } = await import('../lib/db/keys.ts');
        return await measureWriteCost({
          newTable: (tableName) => ({
            db: createDynamoClient({ ...loadConfig(), dynamoEndpoint: memory.endpoint, tableName }),
            tableName,
            // The deployed default, not the local stack's (a new DATA_DIR has 1 shard): the
            // burst's spread is what a deployment gets.
            indexShards: DEFAULT_INDEX_SHARDS,
          }),
          operationsPerLayout: MODE.writes.operations,
          burstUploads: MODE.writes.burst,
          log,
        });
      } finally {
        await memory.stop();
      }
    });
    if (writes) {
      results.writeCost = writes;
      const { OPERATIONS } = await import('./write-cost.ts');
      const cost = (layout: string, operation: string) =>
        writes.operations.find((o) => o.layout === layout && o.operation === operation);
      printed.push(
        'Write cost per operation (WCU from DynamoDB Local, medians, blob intents included; ' +
          'all = every index projects ALL, lean = list fields only and a keys-only due queue, ' +
          'see docs/capacity.md)\n' +
          table(
            ['operation', 'table WCU', 'indexes', 'index WCU', 'lean: indexes', 'lean: index WCU'],
            OPERATIONS.map(([operation, label]) => {
              const now = cost('all', operation);
              const lean = cost('lean', operation);
              return [
                label,
                fixed(now?.tableWcu.median, 0),
                fixed(now?.indexesWritten.median, 0),
                fixed(now?.indexWcu.median, 0),
                fixed(lean?.indexesWritten.median, 0),
                fixed(lean?.indexWcu.median, 0),
              ];
            }),
          ),
      );
      printed.push(
        `Burst into one workspace and project: ${writes.burst.uploads} uploads, then their processing results and deletes (${writes.shards} shards; posts are not sharded)\n` +
          table(
            ['index', 'keys', 'writes', 'max share', 'max share × shards'],
            writes.burst.spreads.map((spread) => [
              spread.index,
              spread.keys,
              spread.writes,
              `${(spread.maxShare * 100).toFixed(2)} %`,
              spread.sharded ? fixed(spread.maxShareTimesShards, 3) : '(not sharded)',
            ]),
          ),
      );
      for (const spread of writes.burst.spreads.filter((s) => s.sharded)) {
        budgets.push(
          budget(
            `burst-spread:${spread.index}`,
            `burst into one workspace: no ${spread.index} key takes more than ${BUDGETS.burstShareRatio}/N of its writes`,
            round(spread.maxShareTimesShards, 3),
            BUDGETS.burstShareRatio,
            '×',
          ),
        );
      }
    }
  }

  const fixtures =
    httpDataset && uploadsDataset
      ? await requestFixtures({
          apiUrl: stack.url,
          table: stack.tableContext,
          dataset: httpDataset,
          uploads: uploadsDataset,
          smallPngBase64: smallPng,
          perKind: MODE.coldRuns + 2,
          log,
        })
      : undefined;

  // ── 1. Cold-start proxy ────────────────────────────────────────────────────────────────────
  let coldResults: Awaited<ReturnType<typeof measureColdStarts>> | undefined;
  if (prepared && fixtures) {
    log(`cold-start proxy: ${MODE.coldRuns} fresh processes per variant`);
    coldResults = await part('cold', () =>
      measureColdStarts({
        workDir: join(workDir, 'bundles'),
        prepared,
        runs: MODE.coldRuns,
        servedRuns: MODE.coldServedRuns,
        stackEnv,
        fixtures,
        rejected: true,
        log,
      }),
    );
    if (coldResults) {
      results.coldStart = coldResults;
      const rows = coldResults.map((r) => {
        // Store-free where the route has a store-free answer; /health: init only.
        const initOnly = r.rejected === null;
        const fnMs = initOnly
          ? r.served.bootMs.median + r.served.importMs.median
          : (r.rejected?.totalMs.median ?? Number.NaN);
        const floorMs = initOnly
          ? r.floorRun.bootMs.median + r.floorRun.importMs.median
          : r.floorRun.totalMs.median;
        const ratio = fnMs / floorMs;
        budgets.push(
          budget(
            `cold-start:${r.name}`,
            `${r.name}: fresh process → first event ≤ ${BUDGETS.coldStartRatio}× its floor (${initOnly ? 'boot + import; /health has no store-free answer' : 'store-free 401 invocation'})`,
            round(ratio, 3),
            BUDGETS.coldStartRatio,
            '×',
          ),
          budget(
            `bundle-size:${r.name}`,
            `${r.name}: minified bundle ≤ 1 MiB`,
            r.rawBytes,
            BUDGETS.bundleBytes,
            'bytes',
          ),
        );
        return [
          r.name,
          kib(r.rawBytes),
          kib(r.gzipBytes),
          fixed(r.floorRun.totalMs.median, 0),
          fixed(fnMs, 0),
          fixed(ratio, 2),
          fixed(r.served.totalMs.median, 0),
          fixed(r.servedRatio, 2),
          r.served.statusCodes.join('/'),
          fixed(r.served.maxRssMb.median, 0),
        ];
      });
      printed.push(
        'Cold-start proxy (median ms from process start; floor = same SDK clients, constant answer)\n' +
          table(
            [
              'function',
              'raw',
              'gzip',
              'floor',
              'fn*',
              'ratio',
              'served',
              '×floor',
              'status',
              'RSS MB',
            ],
            rows,
          ) +
          '\n* fn: store-free 401 invocation (health: boot + import); served: real request against the local stores',
      );
    }
  }

  // ── 2b. In-process handler overhead ────────────────────────────────────────────────────────
  if (only.has('overhead')) {
    log('handler-only overhead: get-media in-process, DynamoDB mocked');
    const overhead = await part('overhead', () =>
      measureHandlerOverhead({ ...MODE.overhead, log }),
    );
    if (overhead) {
      results.handlerOverhead = overhead;
      const info = overhead.find((v) => v.logLevel === 'INFO');
      if (info) {
        budgets.push(
          budget(
            'handler-overhead:get-media',
            `get-media in-process (stores instant, logs INFO) p50 ≤ ${BUDGETS.handlerP50Ms} ms`,
            round(info.p50Ms.median, 4),
            BUDGETS.handlerP50Ms,
            'ms',
          ),
        );
      }
      printed.push(
        'Handler-only overhead: GET /api/v1/media/{id} in-process, DynamoDB answered by aws-sdk-client-mock\n' +
          table(
            ['logs', 'p50 ms', 'p99 ms', 'req/s', 'children × iterations'],
            overhead.map((v) => [
              v.logLevel,
              fixed(v.p50Ms.median, 3),
              fixed(v.p99Ms.median, 3),
              fixed(v.perSecond.median, 0),
              `${v.p50Ms.n} × ${v.iterationsPerChild}`,
            ]),
          ),
      );
    }
  }

  // ── 2. HTTP latency and throughput ─────────────────────────────────────────────────────────
  if (only.has('http') && httpDataset && uploadsDataset) {
    log(`HTTP latency/throughput on a workspace of ${httpDataset.size} attachments`);
    const http = await part('http', async () =>
      measureHttp({
        apiUrl: stack.url,
        table: stack.tableContext,
        dataset: httpDataset,
        uploads: uploadsDataset,
        pngBase64: (await pngOfSize(102_400)).toString('base64'),
        limits: MODE.http as Parameters<typeof measureHttp>[0]['limits'],
        workDir,
        log,
      }),
    );
    if (http) {
      results.http = http;
      printed.push(
        `HTTP through the local adapter (workspace of ${http.datasetSize} attachments; medians over ${MODE.http.repeats} repeat(s))\n` +
          table(
            ['endpoint', 'c', 'p50 ms', 'p99 ms', 'req/s', 'requests', 'non-2xx/errors'],
            http.figures.map((f) => [
              f.label,
              f.connections,
              fixed(f.p50Ms.median),
              fixed(f.p99Ms.median),
              fixed(f.requestsPerSecond.median, 0),
              f.requests,
              Object.keys(f.unexpectedStatuses).length + f.errors > 0
                ? `${JSON.stringify(f.unexpectedStatuses)} ${f.errors}`
                : '0',
            ]),
          ),
      );
    }
  }

  // ── 4. Upload memory ───────────────────────────────────────────────────────────────────────
  let upload: Awaited<ReturnType<typeof measureUploadMemory>> | undefined;
  if (only.has('upload') && uploadsDataset) {
    log('upload memory: one fresh process per upload, handler in-process, local stores');
    upload = await part('upload', () =>
      measureUploadMemory({
        ...MODE.upload,
        stackEnv,
        postId: uploadsDataset.publicPostIds[0] as string,
        key: uploadsDataset.author.key,
        workDir,
        log,
      }),
    );
    if (upload) {
      results.upload = upload;
      const fifty = upload.find((f) => f.fileMb === 50);
      if (fifty) {
        budgets.push(
          budget(
            'upload-memory:50MB',
            `50 MB upload: peak RSS increase ≤ ${BUDGETS.uploadRatio50}× the file size`,
            round(fifty.requestIncreaseRatio.median, 3),
            BUDGETS.uploadRatio50,
            '×',
          ),
        );
      }
      printed.push(
        'Upload memory and throughput (upload handler in-process, real clients → s3rver / DynamoDB Local)\n' +
          table(
            ['file', 'body', 'peak +MB', '×file', 'body str', 'handler +MB', 'ms', 'MB/s'],
            upload.map((f) => [
              `${f.fileMb} MB`,
              `${fixed(f.bodyMb)} MB`,
              fixed(f.requestIncreaseMb.median, 0),
              fixed(f.requestIncreaseRatio.median, 2),
              fixed(f.bodyStringMb.median, 0),
              fixed(f.handlerIncreaseMb.median, 0),
              fixed(f.handlerMs.median, 0),
              fixed(f.mbPerSecond.median, 1),
            ]),
          ),
      );
    }
  }

  // ── 5. As npm start runs ───────────────────────────────────────────────────────────────────
  if (only.has('npmstart')) {
    log('as npm start runs: its own process, fresh DATA_DIR, INFO logs, c1 and c8');
    const npmStart = await part('npmstart', () =>
      measureNpmStart({ limits: MODE.npmStart as NpmStartLimits, workDir, log }),
    );
    if (npmStart) {
      results.npmStart = npmStart;
      for (const figure of npmStart.figures) {
        const id = figure.scenario;
        if (figure.connections === 8) {
          const target = BUDGETS.npmStart.perSecondAtC8[id];
          const actual = round(figure.requestsPerSecond.median, 1);
          budgets.push({
            id: `npm-start:${id}@c8`,
            description: `npm start, ${figure.label} at c8: ≥ ${target} req/s (median over repeats)`,
            limit: target,
            actual,
            unit: 'req/s (at least)',
            holds: actual >= target,
          });
        } else {
          budgets.push(
            budget(
              `npm-start:${id}@c1`,
              `npm start, ${figure.label} sequential: p50 ≤ ${BUDGETS.npmStart.p50MsAtC1[id]} ms`,
              round(figure.p50Ms.median, 2),
              BUDGETS.npmStart.p50MsAtC1[id],
              'ms',
            ),
          );
        }
      }
      printed.push(
        `As npm start runs (its own process, INFO logs, processing on; medians over ${MODE.npmStart.repeats} fresh start(s); ready in ${fixed(npmStart.readyMs.fresh.median, 0)} ms fresh, ${fixed(npmStart.readyMs.restart.median, 0)} ms on restart; load average per repeat ${npmStart.loadAverage.map(([a, b]) => `${a}→${b}`).join(', ')})\n` +
          'CPU ms/request: CPU time of the API process (Node) and of DynamoDB Local (JVM) per answered request: the figure that other load on the machine barely moves.\n' +
          table(
            [
              'shape',
              'c',
              'p50 ms',
              'p99 ms',
              'req/s',
              'CPU ms/req api',
              'CPU ms/req dynamodb',
              'requests',
              'unexpected',
            ],
            npmStart.figures.map((f) => [
              f.label,
              f.connections,
              fixed(f.p50Ms.median),
              fixed(f.p99Ms.median),
              fixed(f.requestsPerSecond.median, 0),
              fixed(f.cpuMsPerRequest.api?.median ?? Number.NaN, 2),
              fixed(f.cpuMsPerRequest.dynamodb?.median ?? Number.NaN, 2),
              f.requests,
              Object.keys(f.unexpected).length > 0 ? JSON.stringify(f.unexpected) : '0',
            ]),
          ) +
          `\nCPU ms per upload including its processing (thumbnail, placeholder): api ${fixed(npmStart.uploadWithProcessingCpuMs.api?.median ?? Number.NaN, 2)}, dynamodb ${fixed(npmStart.uploadWithProcessingCpuMs.dynamodb?.median ?? Number.NaN, 2)}` +
          '\n\nWhere the time goes (sequential requests; medians; store = time with a store call in flight)\n' +
          table(
            [
              'route',
              'total ms',
              'our code ms',
              'store ms',
              'DynamoDB round trips',
              'calls (per request × median ms)',
            ],
            npmStart.breakdown.map((b) => [
              b.route,
              fixed(b.totalMs),
              fixed(b.ourCodeMs),
              fixed(b.storeMs),
              `${b.sequentialDynamoDbRoundTrips.median} (max ${b.sequentialDynamoDbRoundTrips.max})`,
              Object.entries(b.calls)
                .map(([kind, c]) => `${kind} ${c.perRequest}×${fixed(c.medianMs)}`)
                .join(', '),
            ]),
          ),
      );
    }
  }

  // ── 6. Request guards: rate limit, Idempotency-Key, SVG on hostile input ──────────────────
  if (only.has('guards')) {
    log('request guards: apiHandler in-process against DynamoDB Local; SVG inspection');
    const guards = await part('guards', () => measureRequestGuards({ ...MODE.guards, log }));
    if (guards) {
      results.guards = guards;
      const calls = (label: string) =>
        Object.values(
          guards.variants.find((v) => v.label === label)?.dynamoCallsPerRequest ?? {},
        ).reduce((sum, n) => sum + n, 0);
      budgets.push(
        budget(
          'guards:rate-limit-calls',
          `rate limit: ≤ ${BUDGETS.rateLimitCallsPerRequest} DynamoDB call per request`,
          round(calls('GET, rate limit on') - calls('GET, limits off'), 3),
          BUDGETS.rateLimitCallsPerRequest,
          'calls',
        ),
        budget(
          'guards:idempotency-calls',
          `Idempotency-Key (new key): ≤ ${BUDGETS.idempotencyCallsPerRequest} DynamoDB calls per request`,
          round(calls('POST, new Idempotency-Key') - calls('POST, no Idempotency-Key'), 3),
          BUDGETS.idempotencyCallsPerRequest,
          'calls',
        ),
      );
      const svg50 = guards.svg.find((f) => f.label.startsWith('50 MB valid'));
      if (svg50) {
        budgets.push(
          budget(
            'guards:svg-50MB',
            `SVG check of a 50 MB document p50 ≤ ${BUDGETS.svg50MbMs} ms`,
            round(svg50.ms.median, 1),
            BUDGETS.svg50MbMs,
            'ms',
          ),
        );
      }
      printed.push(
        `Request guards (apiHandler in-process → DynamoDB Local, ${guards.requests} interleaved requests per variant)\n` +
          table(
            ['variant', 'p50 ms', 'p99 ms', '+p50 ms', 'DynamoDB calls / request'],
            guards.variants.map((v) => [
              v.label,
              fixed(v.latencyMs.median, 2),
              fixed(v.latencyMs.p99, 2),
              fixed(v.addedMs, 2),
              Object.entries(v.dynamoCallsPerRequest)
                .map(([name, n]) => `${name} ${fixed(n, 2)}`)
                .join(', '),
            ]),
          ) +
          '\n\nIdempotency fingerprint (SHA-256 of the body)\n' +
          table(
            ['body', 'ms'],
            guards.bodyHashMs.map((h) => [`${h.megabytes} MB`, fixed(h.ms.median, 1)]),
          ) +
          '\n\nSVG inspection on crafted input\n' +
          table(
            ['document', 'outcome', 'p50 ms', 'max ms'],
            guards.svg.map((f) => [f.label, f.outcome, fixed(f.ms.median, 1), fixed(f.ms.max, 1)]),
          ),
      );
    }
  }

  // ── 7. Processing time per image (sizes processing concurrency) ───────────────────────────
  if (only.has('processing')) {
    log('processing: CPU time of thumbnail + placeholder per image');
    const { measureProcessingTime } = await import('./processing-time.ts');
    const processing = await part('processing', () =>
      measureProcessingTime({ ...MODE.processing, log }),
    );
    if (processing) {
      results.processingTime = processing;
      printed.push(
        `Processing time per image (makeThumbnail + placeholderOf in-process, ${MODE.processing.repeats} runs; CPU = every thread)\n` +
          table(
            ['image', 'MB', 'CPU p50 ms', 'CPU max ms', 'wall p50 ms'],
            processing.map((p) => [
              p.label,
              fixed(p.megabytes, 2),
              fixed(p.cpuMs.median, 0),
              fixed(p.cpuMs.max, 0),
              fixed(p.wallMs.median, 0),
            ]),
          ),
      );
    }
  }

  // ── 8. Decode cost: thumbnails of the heaviest inputs ────────────────────────────────────
  if (only.has('decode')) {
    log('decode cost: HEIC, PDF and JPEG thumbnails, each in fresh processes');
    const { measureDecodeCost } = await import('./decode-cost.ts');
    const decode = await part('decode', () => measureDecodeCost({ ...MODE.decode, workDir, log }));
    if (decode) {
      results.decode = decode;
      const peak = Math.max(...decode.map((f) => f.peakRssMb.max));
      budgets.push(
        budget(
          'decode:peak-rss',
          `processing: costliest thumbnail's peak RSS ≤ ${BUDGETS.decodeMemoryShare}× its memory (${PROCESSING_MEMORY_MB} MB)`,
          round(peak / PROCESSING_MEMORY_MB, 3),
          BUDGETS.decodeMemoryShare,
          '×',
        ),
      );
      printed.push(
        `Decode cost (one file per fresh process, as a cold processing Lambda; medians over ${MODE.decode.processes} processes; warm = later thumbnails in the same process)\n` +
          table(
            ['input', 'thumbnail', 'cold ms', 'warm ms', 'RSS before MB', 'peak RSS MB', 'max'],
            decode.map((f) => [
              f.label,
              f.outcome,
              fixed(f.coldMs.median, 0),
              fixed(f.warmMs.median, 0),
              fixed(f.rssBeforeMb.median, 0),
              fixed(f.peakRssMb.median, 0),
              fixed(f.peakRssMb.max, 0),
            ]),
          ),
      );
    }
  }

  // ── Memory each function needs ─────────────────────────────────────────────────────────────
  if (coldResults) {
    const fifty = upload?.find((f) => f.fileMb === 50);
    const sizing = coldResults.map((r) => {
      const base = r.served.maxRssMb.median;
      const extra = r.name === 'upload-media' && fifty ? fifty.requestIncreaseMb.median : 0;
      const needed = base + extra;
      // 25% headroom, rounded up to a multiple of 64 MB, at least 128 MB.
      const recommended = Math.max(128, Math.ceil((needed * 1.25) / 64) * 64);
      return {
        name: r.name,
        baseRssMb: round(base, 1),
        uploadPeakIncreaseMb: round(extra, 1),
        neededMb: round(needed, 1),
        recommendedMb: recommended,
        configuredMb: functionAccess[r.name]?.memoryMb ?? null,
      };
    });
    results.memorySizing = sizing;
    printed.push(
      'Memory per function (RSS of the bundle after its first request + the 50 MB upload peak for upload-media; +25%, 64 MB steps)\n' +
        table(
          ['function', 'base MB', '+upload MB', 'needed MB', 'recommended', 'configured'],
          sizing.map((s) => [
            s.name,
            fixed(s.baseRssMb, 0),
            fixed(s.uploadPeakIncreaseMb, 0),
            fixed(s.neededMb, 0),
            s.recommendedMb,
            s.configuredMb ?? '–',
          ]),
        ),
    );
  }
} finally {
  await stack.stop();
  if (!keep) await rm(workDir, { recursive: true, force: true });
}

printed.push(
  'Budgets\n' +
    table(
      ['budget', 'actual', 'limit', 'holds'],
      budgets.map((b) => [
        b.id,
        b.unit === 'bytes' ? kib(b.actual) : `${b.actual}${b.unit === '×' ? '×' : ` ${b.unit}`}`,
        b.unit === 'bytes' ? kib(b.limit) : `${b.limit}${b.unit === '×' ? '×' : ` ${b.unit}`}`,
        b.holds ? 'yes' : 'NO',
      ]),
    ),
);

const finished = Date.now();
const output = {
  meta: {
    mode: MODE.name,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationSeconds: round((finished - started) / 1000, 1),
    loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
    ...machine,
  },
  settings: { ...MODE, budgets: BUDGETS },
  budgets,
  results,
  errors,
};
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(resultsDir, { recursive: true });
const json = `${JSON.stringify(output, null, 2)}\n`;
await writeFile(join(resultsDir, 'latest.json'), json);
// The latest run of each mode too, so a quick run does not hide the last full one.
await writeFile(join(resultsDir, `${MODE.name}.json`), json);

process.stdout.write(`\n${printed.join('\n\n')}\n\n`);
const failed = budgets.filter((b) => !b.holds);
log(
  `${budgets.length - failed.length}/${budgets.length} budgets hold` +
    (failed.length > 0 ? `; failing: ${failed.map((b) => b.id).join(', ')}` : '') +
    `; wrote bench/results/latest.json and ${MODE.name}.json in ${((finished - started) / 1000).toFixed(0)} s`,
);
if (Object.keys(errors).length > 0) {
  log(`measurement errors: ${Object.keys(errors).join(', ')}`);
  process.exitCode = 1;
}
