/**
 * The purge queue is sharded like the lists: `purgeCandidates` reads every shard and hands out
 * the due entries oldest deadline first across all of them, one page per shard at a time.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { purgeCandidates } from '../../../lib/attachments/records.ts';
import { keys, purgeQueueBound, purgeQueueKeys } from '../../../lib/db/keys.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
const table = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'media-test',
  indexShards: 5,
};

afterEach(() => ddbMock.reset());

describe('purgeCandidates', () => {
  it('merges every shard, oldest deadline first, and stops at the due bound', async () => {
    const now = 1_000_000;
    const entries = Array.from({ length: 60 }, (_, i) => {
      const id = `att_${String(i).padStart(20, '0')}`;
      const purgeAfter = now - 500 + ((i * 37) % 600); // some due, some not yet
      return { ...keys.attachment(id), id, ...purgeQueueKeys(purgeAfter, id, table.indexShards) };
    });
    ddbMock.on(QueryCommand).callsFake((input) => {
      const values = input.ExpressionAttributeValues ?? {};
      const start = input.ExclusiveStartKey as { purgeSK: string } | undefined;
      const matching = entries
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

    const seen: string[] = [];
    for await (const candidate of purgeCandidates(table, now, 3)) seen.push(candidate.id);

    const due = entries
      .filter((e) => e.purgeSK < purgeQueueBound(now))
      .sort((a, b) => (a.purgeSK < b.purgeSK ? -1 : 1))
      .map((e) => e.id);
    expect(due.length).toBeGreaterThan(10);
    expect(seen).toEqual(due);
    const partitions = new Set(
      ddbMock
        .commandCalls(QueryCommand)
        .map((c) => c.args[0].input.ExpressionAttributeValues?.[':pk']),
    );
    expect(partitions).toEqual(new Set(['PURGE', 'PURGE#S1', 'PURGE#S2', 'PURGE#S3', 'PURGE#S4']));
  });
});
