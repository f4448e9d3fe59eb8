/**
 * DynamoDB TTL for the local stack. DynamoDB Local (3.x) implements TTL only for some tables:
 * on ours (a sort key and global secondary indexes) it never deletes an expired item (checked
 * by hand: items hours past their `ttl` stay). So the local sweeper runs this reaper: it deletes
 * every item whose `ttl` (epoch seconds) has passed, as DynamoDB does on AWS, and each deletion
 * is an ordinary REMOVE in the table's change stream, so an attachment removed here is a
 * `media.purged` (`removedBy: "ttl"`) in `events.ndjson` like one TTL removes on AWS.
 *
 * Each deletion is conditional on the item still being expired, so a change that took it off
 * TTL meanwhile (a restore, a legal hold) wins. A full Scan per run: fine for a local table,
 * and the reason it runs rarely (the purge sweep removes deleted attachments on time anyway).
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../lib/db/client.ts';
import { tableDefinition } from '../lib/db/table-definition.ts';

const TTL = { '#ttl': tableDefinition.timeToLiveAttribute };

/** Deletes every expired item; returns how many it deleted. */
export async function reapExpired(table: TableContext, now: number = Date.now()): Promise<number> {
  const nowSeconds = Math.floor(now / 1000);
  let reaped = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.db.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: '#ttl <= :now',
        ProjectionExpression: `${tableDefinition.partitionKey}, ${tableDefinition.sortKey}`,
        ExpressionAttributeNames: TTL,
        ExpressionAttributeValues: { ':now': nowSeconds },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const key of page.Items ?? []) {
      try {
        await table.db.send(
          new DeleteCommand({
            TableName: table.tableName,
            Key: key,
            ConditionExpression: '#ttl <= :now',
            ExpressionAttributeNames: TTL,
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        );
        reaped += 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return reaped;
}
