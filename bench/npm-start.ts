/**
 * 5. "As `npm start` runs" (issue 15): `scripts/start.ts` as its own process, exactly as a
 * user starts it (fresh DATA_DIR, demo seeded, INFO logs, processing and sweeps on), loaded
 * through the public API by autocannon in another process with the shapes of the comparison:
 * a 100 KB PNG upload, a list page of 50 filtered by type, a get, a delete — at concurrency 1
 * (sequential latency) and 8. Also: time from spawn to `/health` 200 (demo seeded), fresh and
 * on a restart.
 *
 * Breakdown (`lib/store-trace.ts`, preloaded into the npm start process): per route, the
 * time in our code (request time minus the time with a store call in flight) against each
 * kind of store call, and the sequential DynamoDB round trips: the number of non-overlapping
 * groups of DynamoDB calls in one request, i.e. its latency floor in round trips on AWS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../local/stores.ts';
import type { LoadPlan, LoadRun, LoadRunResult } from './http-load-child.ts';
import { runNode, tsxArgs } from './lib/child.ts';
import { cpuSnapshot, cpuSpent } from './lib/cpu.ts';
import { pngOfSize } from './lib/png.ts';
import { median, percentile, round, type Stats, summarize } from './lib/stats.ts';
import type { Trace, TracedRequest } from './lib/store-trace.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOAD_CHILD = fileURLToPath(new URL('./http-load-child.ts', import.meta.url));
const TRACE_PRELOAD = fileURLToPath(new URL('./lib/store-trace.ts', import.meta.url));

export interface NpmStartLimits {
  repeats: number;
  /** Requests per run at c1 and c8. */
  amount: { read: [number, number]; upload: [number, number]; delete: [number, number] };
  maxSecondsPerRun: number;
  warmup: number;
}

export const NPM_START_SCENARIOS = [
  { id: 'upload', label: 'POST /media (100 KB PNG)', route: 'POST /api/v1/media', status: 201 },
  {
    id: 'list',
    label: 'list ?fileType=image&limit=50',
    route: 'GET /api/v1/media',
    status: 200,
  },
  { id: 'get', label: 'GET /media/{id}', route: 'GET /api/v1/media/{id}', status: 200 },
  { id: 'delete', label: 'DELETE /media/{id}', route: 'DELETE /api/v1/media/{id}', status: 200 },
] as const;
type ScenarioId = (typeof NPM_START_SCENARIOS)[number]['id'];
const CONNECTIONS = [1, 8] as const;
/** Tags each request with its run (`get|1`, …), so the breakdown can take the c1 runs. */
const RUN_HEADER = 'x-bench-run';

export interface NpmStartFigure {
  scenario: ScenarioId;
  label: string;
  connections: number;
  p50Ms: Stats;
  p99Ms: Stats;
  requestsPerSecond: Stats;
  requests: number;
  unexpected: Record<string, number>;
  /**
   * CPU ms per request by process group (`api`: the npm start process and its Node children,
   * `dynamodb`: the DynamoDB Local JVM): unlike latency, barely moved by other load on the
   * machine, so comparable between noisy runs. Work a request leaves behind (thumbnails) counts
   * where it runs.
   */
  cpuMsPerRequest: Record<string, Stats>;
}

export interface RouteBreakdown {
  route: string;
  requests: number;
  totalMs: number;
  ourCodeMs: number;
  storeMs: number;
  /** Per kind of store call: calls per request and median ms per call. */
  calls: Record<string, { perRequest: number; medianMs: number }>;
  sequentialDynamoDbRoundTrips: { median: number; max: number };
}

export interface NpmStartResult {
  readyMs: { fresh: Stats; restart: Stats };
  /**
   * CPU ms per upload from the first upload until every upload has its thumbnail (all upload
   * runs, processing included), by process group.
   */
  uploadWithProcessingCpuMs: Record<string, Stats>;
  /** 1-minute load average of the machine at the start and end of each repeat. */
  loadAverage: Array<[number, number]>;
  figures: NpmStartFigure[];
  /** From the c1 runs (no queueing in the numbers). */
  breakdown: RouteBreakdown[];
  backgroundCalls: Record<string, number>;
}

interface Running {
  child: ChildProcess;
  url: string;
  dataDir: string;
  exited: Promise<void>;
  stderr: () => string;
}

async function startNpmStart(dataDir: string, traceFile: string): Promise<Running> {
  const port = await findFreePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATA_DIR: dataDir,
    PORT: String(port),
    DYNAMODB_PORT: String(await findFreePort()),
    S3_PORT: String(await findFreePort()),
    POWERTOOLS_LOG_LEVEL: 'INFO',
    BENCH_TRACE_FILE: traceFile,
  };
  // What `npm start` runs, plus the trace preload. Logs go where nobody reads them (a terminal
  // would cost more).
  const child = spawn(
    process.execPath,
    [
      // BENCH_CPU_PROF_DIR: a V8 CPU profile of the npm start process per start, to find hot spots.
      ...(process.env.BENCH_CPU_PROF_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
        : []),
      '--import',
      'tsx',
      '--import',
      TRACE_PRELOAD,
      'scripts/start.ts',
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  process.on('exit', () => {
    if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
  });
  return { child, url: `http://127.0.0.1:${port}`, dataDir, exited, stderr: () => stderr };
}

async function waitHealthy(running: Running, started: number, timeoutMs = 300_000) {
  while (performance.now() - started < timeoutMs) {
    if (running.child.exitCode !== null) {
      throw new Error(`npm start exited (${running.child.exitCode}): ${running.stderr()}`);
    }
    try {
      if ((await fetch(`${running.url}/health`)).status === 200) {
        return performance.now() - started;
      }
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`npm start not healthy after ${timeoutMs} ms: ${running.stderr()}`);
}

async function stopNpmStart(running: Running): Promise<void> {
  if (running.child.exitCode === null) running.child.kill('SIGINT');
  await running.exited;
}

/** The npm start process and its descendants (Linux `/proc`), grouped: JVM apart from Node. */
async function processGroups(rootPid: number): Promise<Record<string, number[]>> {
  const parents = new Map<number, { ppid: number; command: string }>();
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), { ppid, command });
    } catch {
      // gone meanwhile
    }
  }
  const groups: Record<string, number[]> = { api: [rootPid], dynamodb: [] };
  const descends = (pid: number): boolean => {
    for (let at = parents.get(pid); at; at = parents.get(at.ppid)) {
      if (at.ppid === rootPid) return true;
    }
    return false;
  };
  for (const [pid, info] of parents) {
    if (pid === rootPid || !descends(pid)) continue;
    (info.command === 'java' ? groups.dynamodb : groups.api)?.push(pid);
  }
  return groups;
}

async function runPlan(
  url: string,
  runs: LoadRun[],
  workDir: string,
  maxSeconds: number,
  cpuPids: Record<string, number[]>,
) {
  const planFile = join(workDir, `npm-start-plan-${runs[0]?.id ?? 'x'}.json`);
  await writeFile(planFile, JSON.stringify({ url, runs, cpuPids } satisfies LoadPlan));
  const child = await runNode({
    args: tsxArgs(LOAD_CHILD),
    env: { PATH: process.env.PATH ?? '', BENCH_PLAN: planFile },
    ipc: true,
    timeoutMs: (runs.length * maxSeconds + 60) * 1000,
  });
  if (!Array.isArray(child.message)) {
    throw new Error(`load generator failed (code ${child.code}): ${child.stderr}`);
  }
  return child.message as LoadRunResult[];
}

/** The member's bench images, newest first (the uploads of this run). */
async function benchImages(url: string, key: string) {
  const images: Array<{ id: string; processed: boolean }> = [];
  let cursor: string | undefined;
  do {
    const query = `fileType=image&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await fetch(`${url}/api/v1/media?${query}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const page = (await response.json()) as {
      items: Array<{ id: string; fileName: string; thumbnailUrl: string | null }>;
      nextCursor: string | null;
    };
    for (const item of page.items) {
      if (item.fileName === 'bench-100k.png') {
        images.push({ id: item.id, processed: item.thumbnailUrl !== null });
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return images;
}

/**
 * Waits until every bench image has its thumbnail (processing runs after the upload answers),
 * so the work uploads leave behind is counted with them and not in the reads measured next.
 */
async function processedImageIds(url: string, key: string, timeoutMs = 180_000) {
  const started = performance.now();
  for (;;) {
    const images = await benchImages(url, key);
    if (images.every((image) => image.processed) || performance.now() - started > timeoutMs) {
      return images.map((image) => image.id);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** Merged intervals: calls that overlap in time count once (they run in parallel). */
function sequentialGroups(calls: Array<{ startMs: number; durationMs: number }>): {
  groups: number;
  busyMs: number;
} {
  const sorted = [...calls].sort((a, b) => a.startMs - b.startMs);
  let groups = 0;
  let busyMs = 0;
  let end = Number.NEGATIVE_INFINITY;
  let groupStart = 0;
  for (const call of sorted) {
    const callEnd = call.startMs + call.durationMs;
    if (call.startMs >= end) {
      if (groups > 0) busyMs += end - groupStart;
      groups += 1;
      groupStart = call.startMs;
      end = callEnd;
    } else {
      end = Math.max(end, callEnd);
    }
  }
  if (groups > 0) busyMs += end - groupStart;
  return { groups, busyMs };
}

export function breakdownOf(requests: TracedRequest[]): RouteBreakdown[] {
  const byRoute = new Map<string, TracedRequest[]>();
  for (const request of requests) {
    const list = byRoute.get(request.route) ?? [];
    list.push(request);
    byRoute.set(request.route, list);
  }
  const out: RouteBreakdown[] = [];
  for (const [route, list] of byRoute) {
    const stores = list.map((r) => sequentialGroups(r.calls));
    const ddb = list.map(
      (r) => sequentialGroups(r.calls.filter((c) => c.kind.startsWith('ddb:'))).groups,
    );
    const kinds = new Map<string, number[]>();
    for (const request of list) {
      for (const call of request.calls) {
        const durations = kinds.get(call.kind) ?? [];
        durations.push(call.durationMs);
        kinds.set(call.kind, durations);
      }
    }
    const totals = list.map((r) => r.totalMs);
    out.push({
      route,
      requests: list.length,
      totalMs: round(median(totals), 2),
      storeMs: round(median(stores.map((s) => s.busyMs)), 2),
      ourCodeMs: round(median(list.map((r, i) => r.totalMs - (stores[i]?.busyMs ?? 0))), 2),
      calls: Object.fromEntries(
        [...kinds].map(([kind, durations]) => [
          kind,
          {
            perRequest: round(durations.length / list.length, 2),
            medianMs: round(median(durations), 2),
          },
        ]),
      ),
      sequentialDynamoDbRoundTrips: { median: median(ddb), max: Math.max(...ddb) },
    });
  }
  return out.sort((a, b) => a.route.localeCompare(b.route));
}

export const cpuText = (figure: NpmStartFigure): string =>
  Object.entries(figure.cpuMsPerRequest)
    .map(
      ([group, stats]) =>
        `${group} ${Number.isFinite(stats.median) ? stats.median.toFixed(1) : '–'} ms`,
    )
    .join(', ');

/** One fresh `npm start`: ready time, restart time, the four shapes at c1 and c8. */
async function oneRepeat(
  repeat: number,
  limits: NpmStartLimits,
  workDir: string,
  png: string,
  log: (line: string) => void,
) {
  const dataDir = await mkdtemp(join(workDir, `npm-start-${repeat}-`));
  const traceFile = join(workDir, `trace-${repeat}.json`);
  const started = performance.now();
  let running = await startNpmStart(dataDir, traceFile);
  const freshMs = await waitHealthy(running, started);
  await stopNpmStart(running);
  const restarted = performance.now();
  running = await startNpmStart(dataDir, traceFile);
  const restartMs = await waitHealthy(running, restarted);
  log(
    `  repeat ${repeat + 1}: ready in ${freshMs.toFixed(0)} ms fresh, ${restartMs.toFixed(0)} ms on restart`,
  );
  try {
    const cpuPids = await processGroups(running.child.pid as number);
    const demo = JSON.parse(await readFile(join(dataDir, 'demo.json'), 'utf8'));
    const key: string = demo.users.member.key;
    const postId: string = demo.posts.published;
    const auth = { authorization: `Bearer ${key}` };
    const uploadBody = JSON.stringify({
      postId,
      fileName: 'bench-100k.png',
      mimeType: 'image/png',
      fileData: png,
    });
    const upload = (id: string, amount: number, connections: number): LoadRun => ({
      id,
      connections,
      amount,
      maxSeconds: limits.maxSecondsPerRun,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', [RUN_HEADER]: id },
      paths: ['/api/v1/media'],
      body: uploadBody,
    });
    const uploadCpuBefore = cpuSnapshot(cpuPids);
    const uploads = await runPlan(
      running.url,
      [
        upload('upload|warmup', limits.warmup, 1),
        ...CONNECTIONS.map((c, i) => upload(`upload|${c}`, limits.amount.upload[i] as number, c)),
      ],
      workDir,
      limits.maxSecondsPerRun,
      cpuPids,
    );
    const ids = await processedImageIds(running.url, key);
    const uploadCpu = cpuSpent(uploadCpuBefore, cpuSnapshot(cpuPids));
    const getPaths = ids.slice(0, 50).map((id) => `/api/v1/media/${id}`);
    const deletable = ids.slice(50).map((id) => `/api/v1/media/${id}`);
    const read = (id: string, paths: string[], amount: number, connections: number): LoadRun => ({
      id,
      connections,
      amount,
      maxSeconds: limits.maxSecondsPerRun,
      method: 'GET',
      headers: { ...auth, [RUN_HEADER]: id },
      paths,
    });
    const listPath = ['/api/v1/media?fileType=image&limit=50'];
    const deleteAmounts = limits.amount.delete.map((n) =>
      Math.min(n, Math.floor((deletable.length - limits.warmup) / 2)),
    );
    const takeDeletes = (n: number) => deletable.splice(0, n);
    const rest = await runPlan(
      running.url,
      [
        read('list|warmup', listPath, limits.warmup, 1),
        ...CONNECTIONS.map((c, i) =>
          read(`list|${c}`, listPath, limits.amount.read[i] as number, c),
        ),
        read('get|warmup', getPaths, limits.warmup, 1),
        ...CONNECTIONS.map((c, i) =>
          read(`get|${c}`, getPaths, limits.amount.read[i] as number, c),
        ),
        {
          ...read('delete|warmup', takeDeletes(limits.warmup), limits.warmup, 1),
          method: 'DELETE',
        },
        ...CONNECTIONS.map((c, i) => {
          const amount = deleteAmounts[i] as number;
          return { ...read(`delete|${c}`, takeDeletes(amount), amount, c), method: 'DELETE' };
        }),
      ],
      workDir,
      limits.maxSecondsPerRun,
      cpuPids,
    );
    const uploaded = uploads.reduce((sum, run) => sum + run.latenciesMs.length, 0);
    const uploadWithProcessingCpuMs = Object.fromEntries(
      Object.entries(uploadCpu).map(([group, ms]) => [group, ms / Math.max(1, uploaded)]),
    );
    return {
      freshMs,
      restartMs,
      runs: [...uploads, ...rest],
      dataDir,
      traceFile,
      uploadWithProcessingCpuMs,
    };
  } finally {
    await stopNpmStart(running);
  }
}

export async function measureNpmStart(options: {
  limits: NpmStartLimits;
  workDir: string;
  log: (line: string) => void;
}): Promise<NpmStartResult> {
  const { limits, log } = options;
  const workDir = await mkdtemp(join(options.workDir || tmpdir(), 'npm-start-'));
  const png = (await pngOfSize(102_400)).toString('base64');
  const repeats: Array<Awaited<ReturnType<typeof oneRepeat>>> = [];
  const loadAverage: Array<[number, number]> = [];
  for (let repeat = 0; repeat < limits.repeats; repeat++) {
    const loadBefore = loadavg()[0] as number;
    repeats.push(await oneRepeat(repeat, limits, workDir, png, log));
    const loadAfter = loadavg()[0] as number;
    loadAverage.push([round(loadBefore, 2), round(loadAfter, 2)]);
    log(`  repeat ${repeat + 1}: load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`);
  }

  const figures: NpmStartFigure[] = [];
  for (const scenario of NPM_START_SCENARIOS) {
    for (const connections of CONNECTIONS) {
      const runs = repeats
        .flatMap((r) => r.runs)
        .filter((run) => run.id === `${scenario.id}|${connections}`);
      const unexpected: Record<string, number> = {};
      for (const run of runs) {
        for (const [status, n] of Object.entries(run.statusCounts)) {
          if (Number(status) !== scenario.status)
            unexpected[status] = (unexpected[status] ?? 0) + n;
        }
        if (run.errors + run.timeouts > 0)
          unexpected.errors = (unexpected.errors ?? 0) + run.errors + run.timeouts;
      }
      const figure: NpmStartFigure = {
        scenario: scenario.id,
        label: scenario.label,
        connections,
        p50Ms: summarize(
          runs.map((run) =>
            percentile(
              [...run.latenciesMs].sort((a, b) => a - b),
              50,
            ),
          ),
        ),
        p99Ms: summarize(
          runs.map((run) =>
            percentile(
              [...run.latenciesMs].sort((a, b) => a - b),
              99,
            ),
          ),
        ),
        requestsPerSecond: summarize(
          runs.map((run) => (run.latenciesMs.length * 1000) / run.elapsedMs),
        ),
        requests: runs.reduce((sum, run) => sum + run.latenciesMs.length, 0),
        unexpected,
        cpuMsPerRequest: Object.fromEntries(
          ['api', 'dynamodb'].map((group) => [
            group,
            summarize(
              runs
                .filter((run) => run.cpuMs?.[group] !== undefined && run.latenciesMs.length > 0)
                .map((run) => (run.cpuMs?.[group] as number) / run.latenciesMs.length),
            ),
          ]),
        ),
      };
      log(
        `  ${scenario.id.padEnd(7)} c=${connections} p50 ${figure.p50Ms.median.toFixed(1)} ms, p99 ${figure.p99Ms.median.toFixed(1)} ms, ${figure.requestsPerSecond.median.toFixed(0)} req/s, CPU/request ${cpuText(figure)}` +
          (Object.keys(unexpected).length > 0 ? ` UNEXPECTED ${JSON.stringify(unexpected)}` : ''),
      );
      figures.push(figure);
    }
  }

  // The breakdown from the last repeat's trace: the sequential (c1) requests of each shape.
  const last = repeats[repeats.length - 1];
  let breakdown: RouteBreakdown[] = [];
  let backgroundCalls: Record<string, number> = {};
  if (last) {
    const trace = JSON.parse(await readFile(last.traceFile, 'utf8')) as Trace;
    const sequential = trace.requests.filter((r) => r.run?.endsWith('|1'));
    breakdown = breakdownOf(sequential);
    backgroundCalls = trace.background;
  }
  await rm(workDir, { recursive: true, force: true });
  return {
    readyMs: {
      fresh: summarize(repeats.map((r) => r.freshMs)),
      restart: summarize(repeats.map((r) => r.restartMs)),
    },
    loadAverage,
    uploadWithProcessingCpuMs: Object.fromEntries(
      ['api', 'dynamodb'].map((group) => [
        group,
        summarize(
          repeats
            .map((r) => r.uploadWithProcessingCpuMs[group])
            .filter((ms): ms is number => ms !== undefined),
        ),
      ]),
    ),
    figures,
    breakdown,
    backgroundCalls,
  };
}
