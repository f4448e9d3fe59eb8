/**
 * `GET /health`: the table and the bucket answer. Public and unauthenticated, so it must be
 * cheap to hit: it makes data-plane reads only (a GetItem of a sentinel key, which need not
 * exist, and a HeadBucket) — never `DescribeTable`, whose control-plane quota is a few per
 * second per account and shared with deploys — and each process reuses a result for a few
 * seconds, with concurrent checks sharing one probe. A flood of /health costs the stores at most
 * one probe per warm function every `okTtlMs`, and stage throttling caps the flood itself.
 */
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './db/client.ts';
import { keys } from './db/keys.ts';
import { logger } from './logger.ts';

export interface HealthDeps {
  table: TableContext;
  s3: S3Client;
  bucketName: string;
}

export interface HealthCacheOptions extends HealthProbeOptions {
  /** How long a healthy result is reused. @default 5000 */
  okTtlMs?: number;
  /** How long a failed result is reused: short, so readiness shows soon after recovery. @default 1000 */
  failedTtlMs?: number;
  now?: () => number;
}

export const HEALTH_CACHE_DEFAULTS = { okTtlMs: 5_000, failedTtlMs: 1_000 } as const;

/**
 * How long a probe waits for both stores. A store that accepts connections but never answers
 * (a stopped process, a black-holed network) must turn into a 503, not a /health that hangs:
 * the SDK clients have no request timeout by default, and every concurrent check shares the
 * one probe.
 */
export const HEALTH_PROBE_TIMEOUT_MS = 2_000;

export interface HealthProbeOptions {
  /** @default HEALTH_PROBE_TIMEOUT_MS */
  timeoutMs?: number;
}

/**
 * True when both stores answer within `timeoutMs`; the reason for a failure goes to the log,
 * not the client. A timed-out probe aborts its requests, so nothing is left waiting.
 */
export async function probeStores(
  deps: HealthDeps,
  { timeoutMs = HEALTH_PROBE_TIMEOUT_MS }: HealthProbeOptions = {},
): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`the stores did not answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  // Settles the race even if a client ignores the abort signal.
  const timedOut = new Promise<never>((_, reject) => {
    abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
  });
  timedOut.catch(() => {}); // observed by the race below, or never needed
  const options = { abortSignal: abort.signal };
  try {
    await Promise.race([
      Promise.all([
        deps.table.db.send(
          new GetCommand({
            TableName: deps.table.tableName,
            Key: keys.healthSentinel(),
            ProjectionExpression: 'PK',
          }),
          options,
        ),
        deps.s3.send(new HeadBucketCommand({ Bucket: deps.bucketName }), options),
      ]),
      timedOut,
    ]);
    return true;
  } catch (error) {
    logger.warn('health check failed', error as Error);
    // The other store's request may still be waiting: end it.
    if (!abort.signal.aborted) abort.abort(error);
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** A health check that probes at most once per TTL (and once at a time) per process. */
export function cachedHealthCheck(
  deps: HealthDeps,
  options: HealthCacheOptions = {},
): () => Promise<boolean> {
  const { okTtlMs, failedTtlMs } = { ...HEALTH_CACHE_DEFAULTS, ...options };
  const now = options.now ?? (() => Date.now());
  let last: { healthy: boolean; at: number } | undefined;
  let inFlight: Promise<boolean> | undefined;
  return async () => {
    if (last && now() - last.at < (last.healthy ? okTtlMs : failedTtlMs)) return last.healthy;
    inFlight ??= probeStores(deps, options).then((healthy) => {
      last = { healthy, at: now() };
      inFlight = undefined;
      return healthy;
    });
    return inFlight;
  };
}
