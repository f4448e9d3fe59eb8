/**
 * Child of bench/http-load.ts: the load generator, in its own process so it does not share an
 * event loop with the API it measures. Runs the plan's runs one after the other with
 * autocannon, each bounded by a request count *and* a time limit, and reports every response's
 * exact latency (autocannon's own histogram has 1 ms resolution) through IPC.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { cpuSnapshot, cpuSpent } from './lib/cpu.ts';

export interface LoadRun {
  id: string;
  connections: number;
  /** Requests to send (the run also stops after `maxSeconds`). */
  amount: number;
  maxSeconds: number;
  method: string;
  /** Paths (with query strings) used in turn; a DELETE plan lists each id once. */
  paths: string[];
  headers: Record<string, string>;
  body?: string;
}

export interface LoadPlan {
  url: string;
  runs: LoadRun[];
  /** Processes whose CPU time each run records (Linux `/proc`), summed per group name. */
  cpuPids?: Record<string, number[]>;
}

export interface LoadRunResult {
  id: string;
  latenciesMs: number[];
  statusCounts: Record<string, number>;
  elapsedMs: number;
  errors: number;
  timeouts: number;
  stoppedByTime: boolean;
  /** CPU time (user + system) each `cpuPids` process spent during the run, in ms. */
  cpuMs?: Record<string, number>;
}

function runOne(url: string, run: LoadRun): Promise<LoadRunResult> {
  return new Promise((resolve, reject) => {
    let next = 0;
    const path = () => run.paths[next++ % run.paths.length] as string;
    const latenciesMs: number[] = [];
    const statusCounts: Record<string, number> = {};
    let stoppedByTime = false;
    const started = performance.now();
    let lastResponseAt = started;
    const instance = autocannon(
      {
        url,
        connections: run.connections,
        amount: run.amount,
        timeout: 30,
        requests: [
          {
            method: run.method,
            headers: run.headers,
            ...(run.body === undefined ? {} : { body: run.body }),
            setupRequest: (request) => ({ ...request, path: path() }),
          },
        ],
      },
      (error, result) => {
        clearTimeout(timer);
        if (error) {
          reject(error);
          return;
        }
        resolve({
          id: run.id,
          latenciesMs,
          statusCounts,
          // autocannon ends runs on its 1 s tick: time to the last response, not to `done`.
          elapsedMs: lastResponseAt - started,
          errors: result.errors,
          timeouts: result.timeouts,
          stoppedByTime,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponseAt = performance.now();
      latenciesMs.push(responseTime);
      statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
      if (latenciesMs.length >= run.amount) instance.stop();
    });
    const timer = setTimeout(() => {
      stoppedByTime = true;
      instance.stop();
    }, run.maxSeconds * 1000);
  });
}

const plan = JSON.parse(readFileSync(process.env.BENCH_PLAN as string, 'utf8')) as LoadPlan;
const results: LoadRunResult[] = [];
for (const run of plan.runs) {
  const before = cpuSnapshot(plan.cpuPids ?? {});
  const result = await runOne(plan.url, run);
  const after = cpuSnapshot(plan.cpuPids ?? {});
  results.push(plan.cpuPids ? { ...result, cpuMs: cpuSpent(before, after) } : result);
}
process.send?.(results);
