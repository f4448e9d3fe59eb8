/**
 * Child of bench/upload-memory.ts (run with `--expose-gc`): one upload of one size through
 * `functions/upload-media/handler.ts`, in-process, against the local stack's stores (DynamoDB
 * Local + s3rver: real SDK clients, real PutObject). Reports through IPC.
 *
 * RSS is sampled every millisecond by a worker thread, which keeps sampling while the main
 * thread is busy in a synchronous step (JSON.parse, base64 decoding, hashing); the kernel's
 * high-water mark (`maxRSS`) is used too whenever the upload raised it.
 *
 * 1. handler imported and warmed up with a small upload, garbage collected → `rssBase`
 * 2. the request body (one flat JSON string, as the runtime hands it over) is read and the
 *    event built, the harness's garbage collected → `rssWithBody`
 * 3. the handler runs → `rssPeak`
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { apiEvent, lambdaContext } from './lib/events.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const shared = new SharedArrayBuffer(16);
const peak = new Float64Array(shared, 0, 1);
const sampler = new Worker(
  `
  const { workerData } = require('node:worker_threads');
  const peak = new Float64Array(workerData, 0, 1);
  const tick = new Int32Array(workerData, 8, 1);
  for (;;) {
    const rss = process.memoryUsage.rss();
    if (rss > peak[0]) peak[0] = rss;
    Atomics.wait(tick, 0, 0, 1);
  }
`,
  { eval: true, workerData: shared },
);
sampler.unref();

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((done) => setTimeout(done, 30));
  }
};

const { handler } = (await import('../functions/upload-media/handler.ts')) as {
  handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
};
const key = process.env.BENCH_KEY as string;

async function upload(body: string): Promise<APIGatewayProxyStructuredResultV2> {
  const event = apiEvent({ method: 'POST', target: '/api/v1/media', key, body });
  return handler(event, lambdaContext('upload-media'));
}

const warm = await upload(readFileSync(process.env.BENCH_SMALL_BODY_FILE as string, 'latin1'));
if (warm.statusCode !== 201)
  throw new Error(`warm-up upload answered ${warm.statusCode}: ${warm.body}`);

await settle();
const rssBase = process.memoryUsage.rss();

// The request body as the runtime hands it over: one flat string, read from a file the parent
// wrote (reading allocates only this string and a buffer that the next GC returns).
let body = readFileSync(process.env.BENCH_BODY_FILE as string, 'latin1');
const event = apiEvent({ method: 'POST', target: '/api/v1/media', key, body });
const bodyBytes = body.length;
body = '';
await settle();
const rssWithBody = process.memoryUsage.rss();

const highWaterBefore = process.resourceUsage().maxRSS * 1024;
peak[0] = 0;
await new Promise((done) => setTimeout(done, 5));
const started = performance.now();
const result = await handler(event, lambdaContext('upload-media'));
const handlerMs = performance.now() - started;
await new Promise((done) => setTimeout(done, 5));
const highWaterAfter = process.resourceUsage().maxRSS * 1024;
const sampledPeak = peak[0] as number;
const rssPeak = Math.max(sampledPeak, highWaterAfter > highWaterBefore ? highWaterAfter : 0);

process.send?.({
  fileBytes: Number(process.env.BENCH_SIZE),
  bodyBytes,
  statusCode: result.statusCode,
  error: result.statusCode === 201 ? null : String(result.body).slice(0, 500),
  handlerMs,
  rssBase,
  rssWithBody,
  rssPeak,
  sampledPeak,
  kernelPeakRaised: highWaterAfter > highWaterBefore,
});
process.exit(0);
