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

export interface HealthCacheOptions {
  /** How long a healthy result is reused. @default 5000 */
  okTtlMs?: number;
  /** How long a failed result is reused: short, so readiness shows soon after recovery. @default 1000 */
  failedTtlMs?: number;
  now?: () => number;
}

export const HEALTH_CACHE_DEFAULTS = { okTtlMs: 5_000, failedTtlMs: 1_000 } as const;

/** True when both stores answer; the reason for a failure goes to the log, not the client. */
export async function probeStores(deps: HealthDeps): Promise<boolean> {
  try {
    await Promise.all([
      deps.table.db.send(
        new GetCommand({
          TableName: deps.table.tableName,
          Key: keys.healthSentinel(),
          ProjectionExpression: 'PK',
        }),
      ),
      deps.s3.send(new HeadBucketCommand({ Bucket: deps.bucketName })),
    ]);
    return true;
  } catch (error) {
    logger.warn('health check failed', error as Error);
    return false;
  }
}

/** A health check that probes at most once per TTL (and once at a time) per process. */
export function cachedHealthCheck(
  deps: HealthDeps,
  options: HealthCacheOptions = {},
): () => Promise<boolean> {
  const { okTtlMs, failedTtlMs } = { ...HEALTH_CACHE_DEFAULTS, ...options };
  const now = options.now ?? Date.now;
  let last: { healthy: boolean; at: number } | undefined;
  let inFlight: Promise<boolean> | undefined;
  return async () => {
    if (last && now() - last.at < (last.healthy ? okTtlMs : failedTtlMs)) return last.healthy;
    inFlight ??= probeStores(deps).then((healthy) => {
      last = { healthy, at: now() };
      inFlight = undefined;
      return healthy;
    });
    return inFlight;
  };
}
