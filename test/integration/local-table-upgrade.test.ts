/**
 * A DATA_DIR created by an older version keeps its table; starting the stack adds the indexes
 * the current table definition has and that table lacks.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../lib/db/client.ts';
import { tableDefinition, toCreateTableInput } from '../../lib/db/table-definition.ts';
import { ensureTable } from '../../local/stores.ts';

describe('ensureTable', () => {
  it('adds the indexes an existing table is missing', async () => {
    const endpoint = inject('dynamoEndpoint');
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const tableName = `upgrade-${Date.now()}`;
    const current = toCreateTableInput(tableName);
    const [first, ...missing] = current.GlobalSecondaryIndexes ?? [];
    // An "old" table: only the first index (and only the attributes its keys use).
    const used = new Set(
      [...(current.KeySchema ?? []), ...(first?.KeySchema ?? [])].map((key) => key.AttributeName),
    );
    await client.send(
      new CreateTableCommand({
        ...current,
        AttributeDefinitions: current.AttributeDefinitions?.filter((a) =>
          used.has(a.AttributeName),
        ),
        GlobalSecondaryIndexes: first ? [first] : [],
      }),
    );

    await ensureTable(endpoint, tableName);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const names = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort();
    expect(missing.length).toBeGreaterThan(0);
    expect(names).toEqual(
      tableDefinition.globalSecondaryIndexes.map((index) => index.indexName).sort(),
    );
    client.destroy();
  });
});
