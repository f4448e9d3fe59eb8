/**
 * AWS SDK clients, created once per process. Locally `DYNAMODB_ENDPOINT` / `S3_ENDPOINT` point
 * them at DynamoDB Local and the local S3 server; on Lambda the defaults apply.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ServiceConfig } from '../config.ts';
import { intFromEnv } from '../env.ts';
import { traced } from '../observability/tracing.ts';
import { DEFAULT_INDEX_SHARDS, type ItemKey } from './keys.ts';

/** What every data-access function receives: the client and the table it works on. */
export interface TableContext {
  db: DynamoDBDocumentClient;
  tableName: string;
  /**
   * Shards of the hot index partitions (see `shardOf` in keys.ts); absent: this process's
   * `MEDIA_INDEX_SHARDS`. Every process writing or reading a table must use the same count.
   */
  indexShards?: number;
  /**
   * Items this request has read ahead (`prefetch.ts`): reads of those keys are served from
   * here, once, instead of from the table.
   */
  prefetched?: {
    take(key: ItemKey): (Record<string, unknown> & ItemKey) | null | undefined;
    /** A query started ahead (`QueryAhead`), once. */
    takeQuery?(id: string): Promise<unknown> | undefined;
  };
}

let processIndexShards: number | undefined;

/**
 * The shard count a context works with. Read from the environment on first use (not at import:
 * tests and the local stack set the environment after importing this module).
 */
export function indexShardsOf(ctx: TableContext): number {
  processIndexShards ??= intFromEnv('MEDIA_INDEX_SHARDS', DEFAULT_INDEX_SHARDS);
  return ctx.indexShards ?? processIndexShards;
}

/** Credentials the local emulators accept (DynamoDB Local takes any, s3rver expects these). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export function createDynamoClient(config: ServiceConfig): DynamoDBDocumentClient {
  const client = traced(
    new DynamoDBClient({
      region: config.region,
      ...(config.dynamoEndpoint
        ? { endpoint: config.dynamoEndpoint, credentials: LOCAL_CREDENTIALS }
        : {}),
    }),
  );
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createTableContext(config: ServiceConfig): TableContext {
  return {
    db: createDynamoClient(config),
    tableName: config.tableName,
    ...(config.indexShards === undefined ? {} : { indexShards: config.indexShards }),
  };
}
