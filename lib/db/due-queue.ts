/**
 * Walks what is due in one kind of the due-work queue (`ByPurgeAfter`, see `dueQueuePartition`
 * in `keys.ts`), for the sweeps. Work per run is bounded and independent of how much is queued:
 *
 * - every shard is walked in parallel, each in batches: one Query of at most `batchSize` due
 *   entries, then its entries one by one (so at most one request per shard is in flight);
 * - at most `maxItems` entries are read per run, over all shards together (each Query asks only
 *   for what is left of that budget, shared fairly between the shards);
 * - no new entry is started once the invocation has less than `reserveMs` left
 *   (`remainingTimeMs`, the Lambda context's clock): the run stops cleanly between two entries
 *   and the next run continues where the queue stands then.
 *
 * Each shard is read once per run, oldest deadline first, continuing after the last entry read
 * (`ExclusiveStartKey`): entries the handler leaves in the queue (held, claimed by a concurrent
 * run, failed) are passed over, never read twice in one run. The index is eventually
 * consistent, so handlers re-check every entry with a conditional write.
 */
import { randomInt } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '../logger.ts';
import { indexShardsOf, type TableContext } from './client.ts';
import {
  allShards,
  type DueWorkKind,
  dueQueuePartition,
  dueQueueShards,
  purgeQueueBound,
} from './keys.ts';
import { PURGE_INDEX, tableDefinition } from './table-definition.ts';

export interface RunBounds {
  /** Due entries per Query of one shard. @default 25 */
  batchSize?: number;
  /** Entries read per run at most, all shards together. @default no limit but the time */
  maxItems?: number;
  /** Milliseconds left in this invocation (Lambda `context.getRemainingTimeInMillis`). */
  remainingTimeMs?: () => number;
  /** Start no new entry with less than this left. @default 60 s */
  reserveMs?: number;
}

export interface WalkResult {
  /** Entries handed to the handler. */
  seen: number;
  /** Entries whose handler threw (logged; they stay queued for the next run). */
  failed: number;
  /** Stopped by a bound before every shard was read to its end: the next run continues. */
  more: boolean;
}

export const DEFAULT_DUE_BATCH = 25;
export const DEFAULT_RESERVE_MS = 60_000;

export async function walkDueQueue(
  ctx: TableContext,
  kind: DueWorkKind,
  now: number,
  bounds: RunBounds,
  handle: (item: Record<string, unknown>) => Promise<void>,
): Promise<WalkResult> {
  const index = tableDefinition.globalSecondaryIndexes.find((i) => i.indexName === PURGE_INDEX);
  if (!index) throw new Error(`unknown index ${PURGE_INDEX}`);
  // Rotated by a random offset: when the budget covers fewer shards than there are, runs
  // (and concurrent runs) start on different shards instead of all on shard 0.
  const all = allShards(dueQueueShards(kind, indexShardsOf(ctx)));
  const offset = randomInt(all.length);
  const shards = [...all.slice(offset), ...all.slice(0, offset)];
  const batchSize = Math.max(1, bounds.batchSize ?? DEFAULT_DUE_BATCH);
  const maxItems = bounds.maxItems ?? Number.POSITIVE_INFINITY;
  // A fair share per Query, so a small budget still reaches every shard.
  const perQuery = Math.max(1, Math.min(batchSize, Math.floor(maxItems / shards.length)));
  const reserveMs = bounds.reserveMs ?? DEFAULT_RESERVE_MS;
  const outOfTime = () => (bounds.remainingTimeMs ? bounds.remainingTimeMs() < reserveMs : false);

  const result: WalkResult = { seen: 0, failed: 0, more: false };
  let budget = maxItems;

  const walkShard = async (shard: number) => {
    let startKey: Record<string, unknown> | undefined;
    for (;;) {
      const take = Math.min(perQuery, budget);
      if (take <= 0 || outOfTime()) {
        result.more = true;
        return;
      }
      budget -= take; // reserved before the Query: shards running in parallel never overdraw
      const page = await ctx.db.send(
        new QueryCommand({
          TableName: ctx.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: '#pk = :pk AND #sk < :bound',
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
          ExpressionAttributeValues: {
            ':pk': dueQueuePartition(kind, shard),
            ':bound': purgeQueueBound(now),
          },
          Limit: take,
          ExclusiveStartKey: startKey,
        }),
      );
      const items = page.Items ?? [];
      budget += take - items.length;
      for (const item of items) {
        if (outOfTime()) {
          result.more = true; // the rest of this page stays queued for the next run
          return;
        }
        result.seen += 1;
        try {
          await handle(item);
        } catch (error) {
          result.failed += 1;
          logger.error('sweep: an entry failed; it stays queued for the next run', {
            kind,
            shard,
            key: { PK: item.PK, SK: item.SK },
            error: error as Error,
          });
        }
      }
      startKey = page.LastEvaluatedKey;
      if (!startKey) return;
    }
  };

  await Promise.all(shards.map(walkShard));
  return result;
}
