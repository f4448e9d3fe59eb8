/**
 * The lean layout projects exactly what the reads of each index use (`INDEX_READS`), and the
 * reads ask for no more: a list item is built only from projected fields, a sweep reads only
 * the table key from the due-work queue. (The integration suite runs on lean tables, where
 * DynamoDB refuses a read of an attribute the index does not project.)
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { LIST_ITEM_FIELDS, toListItem } from '../../../lib/attachments/present.ts';
import { queryListIndex } from '../../../lib/attachments/records.ts';
import { walkDueQueue } from '../../../lib/db/due-queue.ts';
import { keys, purgeQueueKeys } from '../../../lib/db/keys.ts';
import {
  INDEX_READS,
  type IndexName,
  keyAttributeNames,
  MAX_PROJECTED_ATTRIBUTES,
  PURGE_INDEX,
  projectionOf,
  tableDefinition,
  toCreateTableInput,
} from '../../../lib/db/table-definition.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
afterEach(() => ddbMock.reset());
const table = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'media-test',
  indexShards: 2,
};

const indexNames = tableDefinition.globalSecondaryIndexes.map((i) => i.indexName as IndexName);
const listIndexes = indexNames.filter((name) => name !== PURGE_INDEX);
const keyNames = new Set(keyAttributeNames());

/** Every attribute a lean index holds: its own projection plus every key attribute. */
function leanAttributes(indexName: IndexName): Set<string> {
  const projection = projectionOf(indexName, 'lean');
  return new Set([...keyNames, ...(projection.NonKeyAttributes ?? [])]);
}

/** The attribute names a Query's ProjectionExpression asks for. */
function namesRead(input: {
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
}): string[] {
  expect(input.ProjectionExpression, 'every index read names what it reads').toBeDefined();
  return (input.ProjectionExpression ?? '')
    .split(',')
    .map((name) => name.trim())
    .map((name) => input.ExpressionAttributeNames?.[name] ?? name);
}

describe('the lean layout', () => {
  it('projects exactly the list item fields into every list index, keys only into the queue', () => {
    for (const name of listIndexes) {
      expect(projectionOf(name, 'lean')).toEqual({
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: [...LIST_ITEM_FIELDS],
      });
    }
    expect(projectionOf(PURGE_INDEX, 'lean')).toEqual({ ProjectionType: 'KEYS_ONLY' });
    for (const name of indexNames) {
      expect(projectionOf(name, 'all')).toEqual({ ProjectionType: 'ALL' });
    }
  });

  it('stays within DynamoDB’s 100 projected attributes per table', () => {
    const projected = toCreateTableInput('t', 'lean').GlobalSecondaryIndexes?.flatMap(
      (index) => index.Projection?.NonKeyAttributes ?? [],
    );
    expect(projected?.length).toBeLessThanOrEqual(MAX_PROJECTED_ATTRIBUTES);
  });

  it('holds every field toListItem reads', () => {
    const read = new Set<string>();
    const entry = new Proxy({} as Record<string, unknown>, {
      get: (_, field) => {
        read.add(String(field));
        return undefined;
      },
    });
    toListItem(entry as unknown as Parameters<typeof toListItem>[0]);
    expect(read.size).toBeGreaterThan(10);
    for (const name of listIndexes) {
      const projected = leanAttributes(name);
      expect(
        [...read].filter((field) => !projected.has(field)),
        name,
      ).toEqual([]);
    }
  });

  it('hands a list only the fields every list index projects, whatever the entry holds', async () => {
    const full = {
      PK: 'ATTACHMENT#att_1',
      SK: 'ATTACHMENT',
      listSK: '1#att_1',
      ...Object.fromEntries(LIST_ITEM_FIELDS.map((field) => [field, `${field}-value`])),
      legalHold: true,
      workspaceId: 'ws_1',
      uploaderId: 'usr_1',
      sha256: 'ab',
      purgingAt: 5,
    };
    ddbMock.on(QueryCommand).resolves({ Items: [full] });
    for (const indexName of listIndexes) {
      const page = await queryListIndex(table, {
        indexName,
        partitionValue: 'p',
        after: null,
        limit: 10,
      });
      const projected = leanAttributes(indexName);
      for (const entry of page.attachments) {
        expect(Object.keys(entry).filter((field) => !projected.has(field))).toEqual([]);
        expect(Object.keys(entry).sort()).toEqual([...INDEX_READS[indexName]].sort());
      }
    }
  });

  it('holds every attribute the sweeps read from the due-work queue', async () => {
    const id = 'att_1';
    const entry = { ...keys.attachment(id), ...purgeQueueKeys(0, id, 1) };
    ddbMock.on(QueryCommand).resolves({ Items: [entry] });
    const handed: unknown[] = [];
    await walkDueQueue({ ...table, indexShards: 1 }, 'PURGE', 1, {}, async (key) => {
      handed.push(key);
    });
    const [input] = ddbMock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    const projected = leanAttributes(PURGE_INDEX);
    expect(namesRead(input ?? {}).filter((name) => !projected.has(name))).toEqual([]);
    // The handler sees the table key and nothing else.
    expect(handed).toEqual([keys.attachment(id)]);
  });
});
