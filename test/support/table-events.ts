/**
 * The domain events a table's change stream yields, read straight from DynamoDB Local's
 * Streams API and mapped by the same function as the stream consumers
 * (`lib/events/from-stream-record.ts`). Deterministic: a write that returned is in the stream.
 * For the running stack's own file (what `npm start` users see) use `./events.ts`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { ServiceConfig } from '../../lib/config.ts';
import { LOCAL_CREDENTIALS } from '../../lib/db/client.ts';
import type { DomainEvent, EventType } from '../../lib/events/domain-events.ts';
import { eventsFromChange } from '../../lib/events/from-stream-record.ts';
import {
  readShardToEnd,
  type StreamRecord,
  shardIterator,
  shardsOf,
  streamArnOf,
} from '../../lib/events/table-stream.ts';

/** Every record in the table's stream so far, shard by shard (parents first, as listed). */
export async function streamRecords(config: ServiceConfig): Promise<StreamRecord[]> {
  const options = {
    endpoint: config.dynamoEndpoint,
    region: config.region,
    credentials: LOCAL_CREDENTIALS,
  };
  const dynamo = new DynamoDBClient(options);
  const streams = new DynamoDBStreamsClient(options);
  try {
    const arn = await streamArnOf(dynamo, config.tableName);
    if (!arn) throw new Error(`table ${config.tableName} has no stream`);
    const records: StreamRecord[] = [];
    for (const shard of await shardsOf(streams, arn)) {
      const iterator = await shardIterator(streams, arn, shard.ShardId as string, {
        type: 'TRIM_HORIZON',
      });
      if (iterator) records.push(...(await readShardToEnd(streams, iterator)).records);
    }
    return records;
  } finally {
    dynamo.destroy();
    streams.destroy();
  }
}

/** The events of every change so far, optionally only about one attachment / of one type. */
export async function tableEvents(
  config: ServiceConfig,
  filter: { about?: string; type?: EventType } = {},
): Promise<DomainEvent[]> {
  return (await streamRecords(config))
    .flatMap((record) => eventsFromChange(record))
    .filter((event) => filter.about === undefined || event.data.attachment.id === filter.about)
    .filter((event) => filter.type === undefined || event.type === filter.type);
}
