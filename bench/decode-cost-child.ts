/**
 * Child of bench/decode-cost.ts: thumbnails of one file in a fresh process, as a cold
 * processing Lambda makes them. The first includes loading the decoder (WebAssembly compiled on
 * first use); the next `BENCH_WARM_RUNS` are what a warm container pays. Reports through IPC.
 *
 * `maxRSS` is the kernel's high-water mark of the whole process, native and WebAssembly memory
 * included: what the function's memory setting has to hold.
 */
import { readFileSync } from 'node:fs';
import { makeThumbnail } from '../lib/processing/thumbnail.ts';

const [file, mimeType] = process.argv.slice(2) as [string, string];
const warmRuns = Number(process.env.BENCH_WARM_RUNS ?? 3);
const bytes = new Uint8Array(readFileSync(file));
const rssBeforeMb = process.memoryUsage.rss() / 1_048_576;

async function timed() {
  const started = performance.now();
  const result = await makeThumbnail(bytes, mimeType);
  return { ms: performance.now() - started, result };
}

const cold = await timed();
const warmMs: number[] = [];
for (let i = 0; i < warmRuns; i++) warmMs.push((await timed()).ms);
process.send?.({
  outcome:
    cold.result.kind === 'made'
      ? `${cold.result.thumbnail.width}×${cold.result.thumbnail.height}`
      : 'refused',
  coldMs: cold.ms,
  warmMs,
  rssBeforeMb,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
});
process.exit(0);
