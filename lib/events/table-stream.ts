/**
 * Reading the table's change stream through the DynamoDB Streams API: what the local stream
 * consumer (`local/stream-events.ts`) and the tests do against DynamoDB Local. (On AWS the
 * Lambda event source mapping does this reading; see `infra/event-delivery.ts`.)
 *
 * A stream is a set of shards; each shard is an ordered run of records (all records of one
 * item are in one shard, in commit order), and a shard may close and be continued by child
 * shards, which must be read after their parent.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';

export type { StreamRecord };

/** The stream of the table, or null when the table has none. */
export async function streamArnOf(
  dynamo: DynamoDBClient,
  tableName: string,
): Promise<string | null> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  return Table?.StreamSpecification?.StreamEnabled ? (Table.LatestStreamArn ?? null) : null;
}

/** Every shard of the stream (DescribeStream pages by the last shard id). */
export async function shardsOf(
  streams: DynamoDBStreamsClient,
  streamArn: string,
): Promise<Shard[]> {
  const shards: Shard[] = [];
  let start: string | undefined;
  do {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
    );
    shards.push(...(StreamDescription?.Shards ?? []));
    start = StreamDescription?.LastEvaluatedShardId;
  } while (start);
  return shards;
}

/** Where to start reading a shard: its beginning, its end, or after a record already read. */
export type ShardPosition =
  | { type: Extract<ShardIteratorType, 'TRIM_HORIZON' | 'LATEST'> }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

export async function shardIterator(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  shardId: string,
  position: ShardPosition,
): Promise<string | undefined> {
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: position.type,
      ...(position.type === 'AFTER_SEQUENCE_NUMBER'
        ? { SequenceNumber: position.sequenceNumber }
        : {}),
    }),
  );
  return ShardIterator;
}

export interface ShardPage {
  records: StreamRecord[];
  /** Undefined once a closed shard has been read to its end. */
  next: string | undefined;
}

/** One GetRecords call (up to 1,000 records). */
export async function readShard(
  streams: DynamoDBStreamsClient,
  iterator: string,
): Promise<ShardPage> {
  const { Records, NextShardIterator } = await streams.send(
    new GetRecordsCommand({ ShardIterator: iterator }),
  );
  return { records: Records ?? [], next: NextShardIterator };
}

/**
 * Reads from `iterator` until the shard has nothing more for now (an empty page) or is closed
 * and read to its end. Returns the records and where to continue (undefined: shard finished).
 * `fullPage`: stop after the first page with fewer records than this instead (a poller that
 * comes back soon need not spend a call on the empty page).
 */
export async function readShardToEnd(
  streams: DynamoDBStreamsClient,
  iterator: string,
  { fullPage = 1 }: { fullPage?: number } = {},
): Promise<ShardPage> {
  const records: StreamRecord[] = [];
  let next: string | undefined = iterator;
  while (next) {
    const page = await readShard(streams, next);
    records.push(...page.records);
    next = page.next;
    if (page.records.length < fullPage) break;
  }
  return { records, next };
}
