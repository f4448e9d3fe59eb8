/**
 * A DATA_DIR created by an older version keeps its table, in the layout it was created with;
 * starting the stack adds the indexes the current table definition has and that table lacks.
 * A new table (a new DATA_DIR, every test table) is created in the lean layout, and a lean
 * table whose projection the code has outgrown (a list field added) gets its index re-created.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../lib/db/client.ts';
import {
  type IndexName,
  projectionOf,
  tableDefinition,
  toCreateTableInput,
} from '../../lib/db/table-definition.ts';
import { ensureTable } from '../../local/stores.ts';

const endpoint = inject('dynamoEndpoint');
const client = new DynamoDBClient({
  endpoint,
  region: 'us-east-1',
  credentials: LOCAL_CREDENTIALS,
});
afterAll(() => client.destroy());

async function projectionsOf(tableName: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return Object.fromEntries(
    (Table?.GlobalSecondaryIndexes ?? []).map((index) => [
      index.IndexName,
      {
        ProjectionType: index.Projection?.ProjectionType,
        ...(index.Projection?.NonKeyAttributes
          ? { NonKeyAttributes: [...index.Projection.NonKeyAttributes].sort() }
          : {}),
      },
    ]),
  );
}

const expectedProjections = (layout: 'all' | 'lean') =>
  Object.fromEntries(
    tableDefinition.globalSecondaryIndexes.map(({ indexName }) => {
      const projection = projectionOf(indexName as IndexName, layout);
      return [
        indexName,
        {
          ProjectionType: projection.ProjectionType,
          ...(projection.NonKeyAttributes
            ? { NonKeyAttributes: [...projection.NonKeyAttributes].sort() }
            : {}),
        },
      ];
    }),
  );

describe('ensureTable', () => {
  it('adds the indexes an existing table is missing, in the layout the table has', async () => {
    const tableName = `upgrade-${Date.now()}`;
    const old = toCreateTableInput(tableName, 'all');
    const [first, ...missing] = old.GlobalSecondaryIndexes ?? [];
    // An "old" table: only the first index (and only the attributes its keys use).
    const used = new Set(
      [...(old.KeySchema ?? []), ...(first?.KeySchema ?? [])].map((key) => key.AttributeName),
    );
    await client.send(
      new CreateTableCommand({
        ...old,
        AttributeDefinitions: old.AttributeDefinitions?.filter((a) => used.has(a.AttributeName)),
        GlobalSecondaryIndexes: first ? [first] : [],
      }),
    );

    await ensureTable(endpoint, tableName);

    expect(missing.length).toBeGreaterThan(0);
    expect(await projectionsOf(tableName)).toEqual(expectedProjections('all'));
  });

  it('creates a new table in the lean layout', async () => {
    const tableName = `new-${Date.now()}`;
    await ensureTable(endpoint, tableName);
    const projections = await projectionsOf(tableName);
    expect(projections).toEqual(expectedProjections('lean'));
    expect(projections.ByPurgeAfter).toEqual({ ProjectionType: 'KEYS_ONLY' });
    expect(projections.ByWorkspace?.ProjectionType).toBe('INCLUDE');
  });

  it('re-creates a lean index that lacks a list field, backfilled', async () => {
    const tableName = `outgrown-${Date.now()}`;
    const input = toCreateTableInput(tableName, 'lean');
    for (const index of input.GlobalSecondaryIndexes ?? []) {
      if (index.IndexName !== 'ByPost') continue;
      index.Projection = {
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: index.Projection?.NonKeyAttributes?.filter((name) => name !== 'width'),
      };
    }
    await client.send(new CreateTableCommand(input));
    const db = DynamoDBDocumentClient.from(client);
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { PK: 'A#1', SK: 'A', byPostPK: 'POST#p', listSK: '1#a', id: 'a', width: 640 },
      }),
    );

    await ensureTable(endpoint, tableName);

    expect(await projectionsOf(tableName)).toEqual(expectedProjections('lean'));
    const { Items } = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'ByPost',
        KeyConditionExpression: 'byPostPK = :p',
        ExpressionAttributeValues: { ':p': 'POST#p' },
      }),
    );
    expect(Items?.map((item) => item.width)).toEqual([640]);
  });
});
