/**
 * The single DynamoDB table, described once. The local stack creates it from
 * `toCreateTableInput`, the CDK construct builds `TableV2` from the same object, and a test
 * checks that both agree.
 *
 * All key attributes are strings. The six list indexes share one sort key, `listSK`
 * (`<createdAt padded>#<attachment id>`): removing `listSK` from an attachment takes it out of
 * every list index in one write, which is how a delete "vanishes at once" and a restore puts
 * it back in exactly the same position.
 *
 * `ByPurgeAfter` is sparse the other way round: it is the due-work queue of the sweeps, one
 * kind of work per partition prefix (`dueQueuePartition` in `keys.ts`), ordered by deadline.
 * Only deleted attachments that are not under legal hold carry `purgePK`/`purgeSK` under
 * `PURGE…`, ordered by `purgeAfter` (a hold removes the attachment from the queue, lifting it
 * puts it back); blob intents carry them under `INTENT…`, ordered by their expiry.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export interface IndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
}

export const tableDefinition = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Epoch *seconds* after which DynamoDB TTL may delete the item (purged attachments). */
  timeToLiveAttribute: 'ttl',
  globalSecondaryIndexes: [
    /** Attachments of one post, newest first (the design card's post + createdAt#id index). */
    { indexName: 'ByPost', partitionKey: 'byPostPK', sortKey: 'listSK' },
    /** Attachments of one post with one file type. */
    { indexName: 'ByPostAndType', partitionKey: 'byPostTypePK', sortKey: 'listSK' },
    /** Attachments of a whole workspace. */
    { indexName: 'ByWorkspace', partitionKey: 'byWorkspacePK', sortKey: 'listSK' },
    /** Attachments of a whole workspace with one file type. */
    { indexName: 'ByWorkspaceAndType', partitionKey: 'byWorkspaceTypePK', sortKey: 'listSK' },
    /**
     * Attachments of one project: a member's workspace-wide list merges the partitions of the
     * projects they can see instead of reading through the ones they cannot.
     */
    { indexName: 'ByProject', partitionKey: 'byProjectPK', sortKey: 'listSK' },
    /** Attachments of one project with one file type. */
    { indexName: 'ByProjectAndType', partitionKey: 'byProjectTypePK', sortKey: 'listSK' },
    /**
     * The sweeps' due work by deadline: deleted attachments not under legal hold (`PURGE…`,
     * the purge sweep) and blob intents (`INTENT…`, the orphan sweep).
     */
    { indexName: 'ByPurgeAfter', partitionKey: 'purgePK', sortKey: 'purgeSK' },
  ] as const satisfies readonly IndexDefinition[],
} as const;

export type IndexName = (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'];
export const PURGE_INDEX = 'ByPurgeAfter' satisfies IndexName;
/** The six indexes that list live attachments (all share the sort key `listSK`). */
export type ListIndexName = Exclude<IndexName, typeof PURGE_INDEX>;

/** Every attribute that is a key of the table or of an index (all of type S). */
export function keyAttributeNames(): string[] {
  const names = new Set<string>([tableDefinition.partitionKey, tableDefinition.sortKey]);
  for (const index of tableDefinition.globalSecondaryIndexes) {
    names.add(index.partitionKey);
    names.add(index.sortKey);
  }
  return [...names];
}

/**
 * The change stream: every committed write with the item before and after it. Domain events
 * are derived from it (`lib/events/from-stream-record.ts`), so they exist exactly when their
 * change committed.
 */
export const TABLE_STREAM = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } as const;

export function toCreateTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: TABLE_STREAM,
    AttributeDefinitions: keyAttributeNames().map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
