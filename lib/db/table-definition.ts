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
 *
 * Index layouts (`IndexProjection`): what each index copies of an item. `all` (every attribute,
 * the layout of release 0.1.0 and the construct's default) makes every update of an indexed
 * item rewrite its index entries; `lean` copies only what the reads of the index use
 * (`INDEX_READS`), so updates of anything else (a legal hold, a purge claim, a sweep's claim on
 * an intent) write no index entry at all, and list entries are about half as large. The
 * readers use exactly `INDEX_READS` on both layouts: a list keeps only the list item fields of
 * an entry (`ListEntry` in lib/attachments/records.ts), the sweeps ask for the table key only
 * (`indexReadProjection`; DynamoDB refuses a read of an attribute a lean index does not
 * project). A table's projections cannot be changed in place (docs/capacity.md, "Moving an
 * existing table to lean").
 */
import type { CreateTableCommandInput, Projection } from '@aws-sdk/client-dynamodb';
import { LIST_ITEM_FIELDS } from '../attachments/present.ts';

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

/** What each index copies of an item: every attribute, or only what its reads use. */
export type IndexProjection = 'all' | 'lean';
export const INDEX_PROJECTIONS = ['all', 'lean'] as const satisfies readonly IndexProjection[];

/**
 * The layout of a deployed table unless the construct says otherwise: the released one
 * (`infra/released-indexes.json`), so an existing deployment never gets an index change it
 * cannot take in one update.
 */
export const DEFAULT_INDEX_PROJECTION: IndexProjection = 'all';

/**
 * The layout of every table created locally from now on (a new `DATA_DIR`, every test table):
 * the stricter one, so the tests prove that no read needs more than the lean layout projects.
 * An existing local table keeps the layout it was created with (it describes it itself).
 */
export const NEW_LOCAL_TABLE_PROJECTION: IndexProjection = 'lean';

/** The table's own key attributes: projected into every index whatever its layout. */
const TABLE_KEY = [tableDefinition.partitionKey, tableDefinition.sortKey] as const;

/**
 * The attributes the code reads from each index, the single source of the lean projection:
 * a list shows `LIST_ITEM_FIELDS` (`toListItem` compiles only against those), a sweep needs
 * only the item's table key (its claim, a conditional update, returns the whole item).
 * Adding a field here changes the lean projection of the index: a replacement of that index
 * on an existing lean table (one index per release, docs/capacity.md).
 */
export const INDEX_READS: Readonly<Record<IndexName, readonly string[]>> = {
  ByPost: LIST_ITEM_FIELDS,
  ByPostAndType: LIST_ITEM_FIELDS,
  ByWorkspace: LIST_ITEM_FIELDS,
  ByWorkspaceAndType: LIST_ITEM_FIELDS,
  ByProject: LIST_ITEM_FIELDS,
  ByProjectAndType: LIST_ITEM_FIELDS,
  ByPurgeAfter: TABLE_KEY,
};

/**
 * DynamoDB's limit on `INCLUDE` attributes, summed over every index of a table: the lean
 * layout must stay below it (a test checks).
 */
export const MAX_PROJECTED_ATTRIBUTES = 100;

/** The projection of one index in one layout, as CreateTable and CloudFormation spell it. */
export function projectionOf(indexName: IndexName, layout: IndexProjection): Projection {
  if (layout === 'all') return { ProjectionType: 'ALL' };
  const keyNames = new Set(keyAttributeNames());
  const nonKey = INDEX_READS[indexName].filter((name) => !keyNames.has(name));
  return nonKey.length === 0
    ? { ProjectionType: 'KEYS_ONLY' }
    : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...nonKey] };
}

/**
 * A `ProjectionExpression` of exactly `INDEX_READS` of an index, whatever the table's layout
 * (placeholders `#r0…`, so reserved words need no care).
 */
export function indexReadProjection(indexName: IndexName): {
  ProjectionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
} {
  const names = INDEX_READS[indexName];
  return {
    ProjectionExpression: names.map((_, i) => `#r${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#r${i}`, name])),
  };
}

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

export function toCreateTableInput(
  tableName: string,
  layout: IndexProjection,
): CreateTableCommandInput {
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
      Projection: projectionOf(index.indexName, layout),
    })),
  };
}
