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
 *
 * A handler gets the entry's table key only (`INDEX_READS`: the lean layout projects nothing
 * else into the queue, so a claim never rewrites its queue entry); its claim, a conditional
 * update returning the whole item, reads the rest.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '../logger.ts';
import { indexShardsOf, type TableContext } from './client.ts';
import {
  allShards,
  type DueWorkKind,
  dueQueuePartition,
  dueQueueShards,
  type ItemKey,
  purgeQueueBound,
} from './keys.ts';
import { indexReadProjection, PURGE_INDEX, tableDefinition } from './table-definition.ts';

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
  handle: (key: ItemKey) => Promise<void>,
): Promise<WalkResult> {
  const index = tableDefinition.globalSecondaryIndexes.find((i) => i.indexName === PURGE_INDEX);
  if (!index) throw new Error(`unknown index ${PURGE_INDEX}`);
  const read = indexReadProjection(PURGE_INDEX);
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
  const budget = new ReservedBudget(maxItems);

  const walkShard = async (shard: number) => {
    let startKey: Record<string, unknown> | undefined;
    for (;;) {
      const take = outOfTime() ? 0 : await budget.reserve(perQuery);
      if (take === 0) {
        result.more = true; // this shard may hold more than the run read of it
        return;
      }
      let items: Record<string, unknown>[] = [];
      try {
        const page = await ctx.db.send(
          new QueryCommand({
            TableName: ctx.tableName,
            IndexName: index.indexName,
            KeyConditionExpression: '#pk = :pk AND #sk < :bound',
            ProjectionExpression: read.ProjectionExpression,
            ExpressionAttributeNames: {
              ...read.ExpressionAttributeNames,
              '#pk': index.partitionKey,
              '#sk': index.sortKey,
            },
            ExpressionAttributeValues: {
              ':pk': dueQueuePartition(kind, shard),
              ':bound': purgeQueueBound(now),
            },
            Limit: take,
            ExclusiveStartKey: startKey,
          }),
        );
        items = page.Items ?? [];
        startKey = page.LastEvaluatedKey;
      } finally {
        budget.settle(take, items.length);
      }
      for (const item of items) {
        if (outOfTime()) {
          result.more = true; // the rest of this page stays queued for the next run
          return;
        }
        result.seen += 1;
        const key: ItemKey = { PK: String(item.PK), SK: String(item.SK) };
        try {
          await handle(key);
        } catch (error) {
          result.failed += 1;
          logger.error('sweep: an entry failed; it stays queued for the next run', {
            kind,
            shard,
            key,
            error: error as Error,
          });
        }
      }
      if (!startKey) return;
    }
  };

  await Promise.all(shards.map(walkShard));
  return result;
}

/**
 * The run's item budget, shared by shards read in parallel: a Query reserves what it asks for
 * (so parallel shards never overdraw) and gives back what it did not get. A shard that finds
 * the budget spent while other Queries are still out waits for their refunds: a small budget
 * over many shards (10 over 64) then still reads every shard when the queue holds less than
 * the budget, instead of reporting more work that does not exist.
 */
class ReservedBudget {
  private inFlight = 0;
  private waiting: Array<() => void> = [];

  constructor(private left: number) {}

  /** Up to `wanted` items reserved for one Query; 0 once the budget is spent for good. */
  async reserve(wanted: number): Promise<number> {
    while (this.left <= 0 && this.inFlight > 0) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const take = Math.min(wanted, this.left);
    if (take <= 0) return 0;
    this.left -= take;
    this.inFlight += 1;
    return take;
  }

  /** A Query that reserved `reserved` items returned `got`: the rest goes back. */
  settle(reserved: number, got: number): void {
    this.left += reserved - got;
    this.inFlight -= 1;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

/** What a sweep did with one due entry: one of its report's counters. */
export interface DueSweep<Outcome extends string> {
  kind: DueWorkKind;
  /** For the log line: `<name> sweep done`. */
  name: string;
  now: number;
  /** Every outcome `handle` may return: each is a counter of the report, from 0. */
  outcomes: readonly Outcome[];
  /** Settles one due entry under this run's claim (`run` names the run, `now` its time). */
  handle: (key: ItemKey, claim: { now: number; run: string }) => Promise<Outcome>;
}

export type SweepReport<Outcome extends string> = Record<Outcome, number> & {
  /** Failed (storage or table unavailable): logged, still due, the next run retries. */
  failed: number;
  /** Stopped by a bound before the queue was done: the next run continues. */
  more: boolean;
};

/**
 * One sweep run over one kind of due work: walks the queue (`walkDueQueue`) under a claim
 * named for this run, counts each entry's outcome, and logs the report.
 */
export async function sweepDueQueue<Outcome extends string>(
  ctx: TableContext,
  sweep: DueSweep<Outcome>,
  bounds: RunBounds,
): Promise<SweepReport<Outcome>> {
  const claim = { now: sweep.now, run: randomUUID() };
  const counts = Object.fromEntries(sweep.outcomes.map((outcome) => [outcome, 0])) as Record<
    Outcome,
    number
  >;
  const walked = await walkDueQueue(ctx, sweep.kind, claim.now, bounds, async (key) => {
    counts[await sweep.handle(key, claim)] += 1;
  });
  const report = { ...counts, failed: walked.failed, more: walked.more };
  logger.info(`${sweep.name} sweep done`, { ...report });
  return report;
}
