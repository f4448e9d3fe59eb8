/**
 * 2. Latency and throughput of the endpoints through the local HTTP server (the API Gateway
 * stand-in calling the real handlers, DynamoDB Local and s3rver behind them), with autocannon
 * in a child process (bench/http-load-child.ts). Every run is bounded by a request count and a
 * time limit and targets 127.0.0.1 only. Each scenario is warmed up first (the local server
 * imports a handler on its first request), then run at concurrency 1 and 16, `repeats` times.
 *
 * Per run: p50 / p99 of every response's latency and completed requests per second; per figure
 * the distribution over the repeats.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TableContext } from '../lib/db/client.ts';
import type { LoadPlan, LoadRun, LoadRunResult } from './http-load-child.ts';
import { runNode, tsxArgs } from './lib/child.ts';
import type { Dataset } from './lib/seed.ts';
import { deletePool } from './lib/stack-fixtures.ts';
import { percentile, type Stats, summarize } from './lib/stats.ts';

const CHILD = fileURLToPath(new URL('./http-load-child.ts', import.meta.url));

export interface HttpScenario {
  id: string;
  label: string;
  method: 'GET' | 'POST' | 'DELETE';
  expectStatus: number;
}

export const HTTP_SCENARIOS: HttpScenario[] = [
  { id: 'get', label: 'GET /media/{id}', method: 'GET', expectStatus: 200 },
  { id: 'list-post', label: 'list ?postId', method: 'GET', expectStatus: 200 },
  { id: 'list-post-image', label: 'list ?postId&fileType=image', method: 'GET', expectStatus: 200 },
  { id: 'list-workspace', label: 'list (workspace)', method: 'GET', expectStatus: 200 },
  {
    id: 'list-workspace-image',
    label: 'list ?fileType=image (workspace)',
    method: 'GET',
    expectStatus: 200,
  },
  {
    id: 'list-workspace-image-member',
    label: 'list ?fileType=image, 90% posts invisible',
    method: 'GET',
    expectStatus: 200,
  },
  { id: 'upload-100k', label: 'POST /media (100 KB PNG)', method: 'POST', expectStatus: 201 },
  { id: 'delete', label: 'DELETE /media/{id}', method: 'DELETE', expectStatus: 200 },
];

export interface HttpLimits {
  repeats: number;
  /** Requests per run at concurrency 1 and 16, per kind of endpoint. */
  amount: { read: [number, number]; upload: [number, number]; delete: [number, number] };
  maxSecondsPerRun: number;
  warmup: number;
}

export interface HttpFigure {
  scenario: string;
  label: string;
  connections: number;
  p50Ms: Stats;
  p99Ms: Stats;
  requestsPerSecond: Stats;
  requests: number;
  unexpectedStatuses: Record<string, number>;
  errors: number;
  stoppedByTime: number;
}

export interface HttpLoadResult {
  datasetSize: number;
  figures: HttpFigure[];
}

function amountFor(scenario: HttpScenario, limits: HttpLimits, connections: number): number {
  const kind =
    scenario.id === 'delete' ? 'delete' : scenario.id.startsWith('upload') ? 'upload' : 'read';
  return limits.amount[kind][connections === 1 ? 0 : 1];
}

export async function measureHttp(options: {
  apiUrl: string;
  table: TableContext;
  dataset: Dataset;
  /** Where the upload scenario writes, so the measured workspace's lists do not change. */
  uploads: Dataset;
  pngBase64: string;
  limits: HttpLimits;
  workDir: string;
  log: (line: string) => void;
}): Promise<HttpLoadResult> {
  const { dataset, limits } = options;
  const url = new URL(options.apiUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`load only targets 127.0.0.1, not ${url.host}`);
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  const admin = auth(dataset.admin.key);
  const uploadBody = JSON.stringify({
    postId: options.uploads.publicPostIds[0],
    fileName: 'bench-100k.png',
    mimeType: 'image/png',
    fileData: options.pngBase64,
  });

  const connectionsList = [1, 16];
  const deleteIdsNeeded =
    limits.warmup +
    limits.repeats *
      connectionsList.reduce(
        (sum, c) =>
          sum + amountFor(HTTP_SCENARIOS.find((s) => s.id === 'delete') as HttpScenario, limits, c),
        0,
      );
  const deletable = await deletePool(options.table, dataset, deleteIdsNeeded, 99);
  const takeDeletes = (n: number) => deletable.splice(0, n).map((id) => `/api/v1/media/${id}`);

  const request = (
    scenario: HttpScenario,
    amount: number,
  ): Omit<LoadRun, 'id' | 'connections' | 'amount' | 'maxSeconds'> => {
    const q = (query: string) => [`/api/v1/media?${query}`];
    switch (scenario.id) {
      case 'get':
        return {
          method: 'GET',
          headers: admin,
          paths: dataset.sampleAttachmentIds.map((id) => `/api/v1/media/${id}`),
        };
      case 'list-post':
        return { method: 'GET', headers: admin, paths: q(`postId=${dataset.bigPostId}&limit=50`) };
      case 'list-post-image':
        return {
          method: 'GET',
          headers: admin,
          paths: q(`postId=${dataset.bigPostId}&fileType=image&limit=50`),
        };
      case 'list-workspace':
        return { method: 'GET', headers: admin, paths: q('limit=50') };
      case 'list-workspace-image':
        return { method: 'GET', headers: admin, paths: q('fileType=image&limit=50') };
      case 'list-workspace-image-member':
        return {
          method: 'GET',
          headers: auth(dataset.member.key),
          paths: q('fileType=image&limit=50'),
        };
      case 'upload-100k':
        return {
          method: 'POST',
          headers: { ...auth(options.uploads.author.key), 'content-type': 'application/json' },
          paths: ['/api/v1/media'],
          body: uploadBody,
        };
      case 'delete':
        return { method: 'DELETE', headers: admin, paths: takeDeletes(amount) };
      default:
        throw new Error(`no request for ${scenario.id}`);
    }
  };

  const runs: LoadRun[] = [];
  for (const scenario of HTTP_SCENARIOS) {
    runs.push({
      id: `${scenario.id}|warmup`,
      connections: 1,
      amount: limits.warmup,
      maxSeconds: limits.maxSecondsPerRun,
      ...request(scenario, limits.warmup),
    });
  }
  for (let repeat = 0; repeat < limits.repeats; repeat++) {
    for (const scenario of HTTP_SCENARIOS) {
      for (const connections of connectionsList) {
        const amount = amountFor(scenario, limits, connections);
        runs.push({
          id: `${scenario.id}|${connections}|${repeat}`,
          connections,
          amount,
          maxSeconds: limits.maxSecondsPerRun,
          ...request(scenario, amount),
        });
      }
    }
  }

  const planFile = join(options.workDir, 'http-plan.json');
  await writeFile(planFile, JSON.stringify({ url: options.apiUrl, runs } satisfies LoadPlan));
  const totalSeconds = runs.length * limits.maxSecondsPerRun + 60;
  const child = await runNode({
    args: tsxArgs(CHILD),
    env: { PATH: process.env.PATH ?? '', BENCH_PLAN: planFile },
    ipc: true,
    timeoutMs: totalSeconds * 1000,
  });
  if (!Array.isArray(child.message)) {
    throw new Error(`load generator failed (code ${child.code}): ${child.stderr}`);
  }
  const results = child.message as LoadRunResult[];

  const figures: HttpFigure[] = [];
  for (const scenario of HTTP_SCENARIOS) {
    for (const connections of connectionsList) {
      const mine = results.filter((r) => r.id.startsWith(`${scenario.id}|${connections}|`));
      const p50s: number[] = [];
      const p99s: number[] = [];
      const rps: number[] = [];
      const unexpected: Record<string, number> = {};
      let requests = 0;
      let errors = 0;
      let stoppedByTime = 0;
      for (const run of mine) {
        const sorted = [...run.latenciesMs].sort((a, b) => a - b);
        p50s.push(percentile(sorted, 50));
        p99s.push(percentile(sorted, 99));
        rps.push((run.latenciesMs.length * 1000) / run.elapsedMs);
        requests += run.latenciesMs.length;
        errors += run.errors + run.timeouts;
        if (run.stoppedByTime) stoppedByTime += 1;
        for (const [status, n] of Object.entries(run.statusCounts)) {
          if (Number(status) !== scenario.expectStatus)
            unexpected[status] = (unexpected[status] ?? 0) + n;
        }
      }
      const figure: HttpFigure = {
        scenario: scenario.id,
        label: scenario.label,
        connections,
        p50Ms: summarize(p50s),
        p99Ms: summarize(p99s),
        requestsPerSecond: summarize(rps),
        requests,
        unexpectedStatuses: unexpected,
        errors,
        stoppedByTime,
      };
      options.log(
        `  ${scenario.id.padEnd(28)} c=${String(connections).padEnd(2)} p50 ${figure.p50Ms.median.toFixed(1)} ms, p99 ${figure.p99Ms.median.toFixed(1)} ms, ${figure.requestsPerSecond.median.toFixed(0)} req/s` +
          (Object.keys(unexpected).length > 0 ? ` UNEXPECTED ${JSON.stringify(unexpected)}` : '') +
          (errors > 0 ? ` errors ${errors}` : ''),
      );
      figures.push(figure);
    }
  }
  return { datasetSize: dataset.size, figures };
}
