/**
 * Per-API-key rate limit (media-api.md "integrator's conveniences"; operations.md
 * `MEDIA_RATE_LIMIT_PER_MINUTE`): a fixed one-minute window per key, counted with ONE atomic
 * `UpdateItem … ADD` per request (1 write unit, no read, no transaction), which returns the
 * new count. Windows are items of the table that TTL removes; nothing else is kept per key.
 *
 * A fixed window lets a client burst up to twice the limit across a window boundary; in
 * exchange it needs no read-modify-write, no clock coordination and no second item, which
 * keeps the cost per request at one small write (bench: "request guards").
 *
 * Headers follow the IETF draft (draft-ietf-httpapi-ratelimit-headers-10):
 * `RateLimit-Policy: "per-key";q=<limit>;w=60` and `RateLimit: "per-key";r=<remaining>;t=<s>`,
 * plus `Retry-After` on the 429.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import { tableDefinition } from '../db/table-definition.ts';
import { RateLimitedError } from '../errors.ts';

export const RATE_LIMIT_WINDOW_SECONDS = 60;
const POLICY = '"per-key"';

export interface RateLimitDecision {
  /** Headers every response of this request carries. */
  headers: Record<string, string>;
  /** Set when the request is over the limit: answer it with this 429. */
  rejection?: RateLimitedError;
}

/** Counts one request of `keyId` against `limitPerMinute` (> 0) and says whether it may run. */
export async function countRequest(
  table: TableContext,
  keyId: string,
  limitPerMinute: number,
  now = Date.now(),
): Promise<RateLimitDecision> {
  const nowSeconds = Math.floor(now / 1000);
  const windowStart = nowSeconds - (nowSeconds % RATE_LIMIT_WINDOW_SECONDS);
  const windowEnd = windowStart + RATE_LIMIT_WINDOW_SECONDS;
  const result = await table.db.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.rateWindow(keyId, windowStart),
      UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
      ExpressionAttributeNames: {
        '#count': 'requests',
        '#ttl': tableDefinition.timeToLiveAttribute,
      },
      // Kept a window longer than needed: TTL deletes lazily, and a late delete is harmless.
      ExpressionAttributeValues: { ':one': 1, ':ttl': windowEnd + RATE_LIMIT_WINDOW_SECONDS },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const count = Number(result.Attributes?.requests ?? 1);
  // At least 1 s: `t=0` would invite a retry before the window has turned over.
  const resetSeconds = Math.max(1, windowEnd - nowSeconds);
  const headers: Record<string, string> = {
    'ratelimit-policy': `${POLICY};q=${limitPerMinute};w=${RATE_LIMIT_WINDOW_SECONDS}`,
    ratelimit: `${POLICY};r=${Math.max(0, limitPerMinute - count)};t=${resetSeconds}`,
  };
  if (count <= limitPerMinute) return { headers };
  headers['retry-after'] = String(resetSeconds);
  return {
    headers,
    rejection: new RateLimitedError(
      `This API key made more than ${limitPerMinute} requests this minute; retry after ${resetSeconds} s.`,
      resetSeconds,
    ),
  };
}
