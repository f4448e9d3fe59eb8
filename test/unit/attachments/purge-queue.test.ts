/**
 * The due-work queue is sharded like the lists: `walkDueQueue` reads every shard of its kind,
 * only what is due, each shard in batches from where its last batch ended, and never more
 * entries per run than its bound, however much is queued.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { walkDueQueue } from '../../../lib/db/due-queue.ts';
import { attachmentIdOfKey, keys, purgeQueueBound, purgeQueueKeys } from '../../../lib/db/keys.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
const table = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'media-test',
  indexShards: 5,
};
const now = 1_000_000;
const entries = Array.from({ length: 60 }, (_, i) => {
  const id = `att_${String(i).padStart(20, '0')}`;
  const purgeAfter = now - 500 + ((i * 37) % 600); // some due, some not yet
  return { ...keys.attachment(id), id, ...purgeQueueKeys(purgeAfter, id, table.indexShards) };
});
const due = entries.filter((e) => e.purgeSK < purgeQueueBound(now)).map((e) => e.id);

afterEach(() => ddbMock.reset());

/** A purge-queue index over `entries`, paged like DynamoDB pages a Query. */
function serveQueue(queued = entries) {
  ddbMock.on(QueryCommand).callsFake((input) => {
    const values = input.ExpressionAttributeValues ?? {};
    const start = input.ExclusiveStartKey as { purgeSK: string } | undefined;
    const matching = queued
      .filter((e) => e.purgePK === values[':pk'] && e.purgeSK < String(values[':bound']))
      .filter((e) => start === undefined || e.purgeSK > start.purgeSK)
      .sort((a, b) => (a.purgeSK < b.purgeSK ? -1 : 1));
    const page = matching.slice(0, input.Limit);
    const last = page[page.length - 1];
    return {
      Items: page,
      ...(matching.length > page.length && last ? { LastEvaluatedKey: last } : {}),
    };
  });
}

describe('walkDueQueue', () => {
  it('reads every due entry of every shard once, in batches, and nothing not yet due', async () => {
    serveQueue();
    const seen: string[] = [];
    const result = await walkDueQueue(table, 'PURGE', now, { batchSize: 3 }, async (key) => {
      seen.push(attachmentIdOfKey(key));
    });
    expect(due.length).toBeGreaterThan(10);
    expect(seen.sort()).toEqual([...due].sort());
    expect(result).toEqual({ seen: due.length, failed: 0, more: false });
    const queries = ddbMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(new Set(queries.map((q) => q.ExpressionAttributeValues?.[':pk']))).toEqual(
      new Set(['PURGE', 'PURGE#S1', 'PURGE#S2', 'PURGE#S3', 'PURGE#S4']),
    );
    expect(Math.max(...queries.map((q) => q.Limit ?? Number.POSITIVE_INFINITY))).toBe(3);
  });

  it('stops at its bound and says there is more; entries that fail stay for the next run', async () => {
    serveQueue();
    const seen: string[] = [];
    const result = await walkDueQueue(table, 'PURGE', now, { maxItems: 7 }, async (key) => {
      seen.push(attachmentIdOfKey(key));
      if (seen.length === 1) throw new Error('S3 unavailable');
    });
    expect(seen).toHaveLength(7);
    expect(result).toEqual({ seen: 7, failed: 1, more: true });
    // Every shard got a share of the budget (7 / 5: one per Query).
    const queries = ddbMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(new Set(queries.map((q) => q.ExpressionAttributeValues?.[':pk'])).size).toBe(5);
  });

  it('finishes a queue that fits a budget smaller than the shard count (more: false)', async () => {
    const dueIds = new Set(due.slice(0, 2));
    serveQueue(entries.filter((e) => dueIds.has(e.id)));
    const seen: string[] = [];
    const result = await walkDueQueue(table, 'PURGE', now, { maxItems: 3 }, async (key) => {
      seen.push(attachmentIdOfKey(key));
    });
    expect(seen.sort()).toEqual([...dueIds].sort());
    expect(result).toEqual({ seen: 2, failed: 0, more: false });
    // Every shard was read, though only 3 entries fit the budget at once.
    const queries = ddbMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(new Set(queries.map((q) => q.ExpressionAttributeValues?.[':pk'])).size).toBe(5);
    expect(Math.max(...queries.map((q) => q.Limit ?? 0))).toBe(1);
  });

  it('starts no entry once the invocation is short of time', async () => {
    serveQueue();
    let left = 100_000;
    const seen: string[] = [];
    const result = await walkDueQueue(
      table,
      'PURGE',
      now,
      { remainingTimeMs: () => left, reserveMs: 60_000 },
      async (key) => {
        seen.push(attachmentIdOfKey(key));
        if (seen.length === 4) left = 59_999;
      },
    );
    expect(seen).toHaveLength(4);
    expect(result.more).toBe(true);
  });
});
