/**
 * 2b. Handler-only overhead: `GET /api/v1/media/{id}` invoked in-process with the stores
 * answering instantly (bench/handler-overhead-child.ts), in fresh child processes so nothing of
 * the local stack or of other measurements shares the heap or the event loop.
 *
 * Two log settings: `INFO` (the deployed default: one JSON line per request, written to a sink
 * like a Lambda's stdout) and `SILENT`. The budget is judged on `INFO`.
 */
import { fileURLToPath } from 'node:url';
import { runNode, tsxArgs } from './lib/child.ts';
import { type Stats, summarize } from './lib/stats.ts';

export interface OverheadChildResult {
  iterations: number;
  p50Ms: number;
  p99Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  perSecond: number;
  storeCallsPerRequest: Record<string, number>;
}

export interface OverheadVariant {
  logLevel: 'INFO' | 'SILENT';
  /** Across child processes: the distribution of each child's p50 / p99 / throughput. */
  p50Ms: Stats;
  p99Ms: Stats;
  perSecond: Stats;
  iterationsPerChild: number;
  storeCallsPerRequest: Record<string, number>;
}

const CHILD = fileURLToPath(new URL('./handler-overhead-child.ts', import.meta.url));

export async function measureHandlerOverhead(options: {
  repeats: number;
  iterations: number;
  warmup: number;
  log: (line: string) => void;
}): Promise<OverheadVariant[]> {
  const variants: OverheadVariant[] = [];
  for (const logLevel of ['INFO', 'SILENT'] as const) {
    const runs: OverheadChildResult[] = [];
    for (let i = 0; i < options.repeats; i++) {
      const run = await runNode({
        args: tsxArgs(CHILD),
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'bench',
          AWS_SECRET_ACCESS_KEY: 'bench',
          TABLE_NAME: 'bench-overhead',
          BUCKET_NAME: 'bench-overhead',
          POWERTOOLS_LOG_LEVEL: logLevel,
          POWERTOOLS_SERVICE_NAME: 'media',
          BENCH_ITERATIONS: String(options.iterations),
          BENCH_WARMUP: String(options.warmup),
        },
        ipc: true,
        timeoutMs: 120_000,
      });
      if (!run.message) {
        throw new Error(`handler overhead child failed (code ${run.code}): ${run.stderr}`);
      }
      runs.push(run.message as OverheadChildResult);
    }
    const variant: OverheadVariant = {
      logLevel,
      p50Ms: summarize(runs.map((r) => r.p50Ms)),
      p99Ms: summarize(runs.map((r) => r.p99Ms)),
      perSecond: summarize(runs.map((r) => r.perSecond)),
      iterationsPerChild: options.iterations,
      storeCallsPerRequest: runs[0]?.storeCallsPerRequest ?? {},
    };
    options.log(
      `  get-media in-process (logs ${logLevel}): p50 ${variant.p50Ms.median.toFixed(3)} ms, p99 ${variant.p99Ms.median.toFixed(3)} ms, ${variant.perSecond.median.toFixed(0)} req/s`,
    );
    variants.push(variant);
  }
  return variants;
}
