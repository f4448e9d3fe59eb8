/**
 * Attachment records in the table. An attachment that is live carries `listSK`, which puts it
 * in the six list indexes (by post, project and workspace, each with and without the file
 * type); deleting removes `listSK` (gone from every list at once) and restoring sets it again
 * from `createdAt` and `id` (same position). The index partition keys are written once, with
 * the record, and never change.
 *
 * A deleted attachment that is not under legal hold also carries the TTL attribute (epoch
 * seconds of `purgeAfter`, rounded up: never before the grace period ends) and the purge-queue
 * keys (`ByPurgeAfter`). A hold removes both, lifting it sets them again: a held record is
 * neither expired by DynamoDB nor seen by the purge sweep.
 *
 * Every lifecycle write is conditional on the state it was decided on, so concurrent requests
 * (delete vs. hold, restore vs. purge) serialize on the record, and sets `changedAt` (epoch
 * ms) to its own time: the time of the domain event the change stream derives from it
 * (`lib/events/from-stream-record.ts`), which stream records only know to the second.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { readItem } from '../db/batch-get.ts';
import { indexShardsOf, type TableContext } from '../db/client.ts';
import { withoutNulls } from '../db/items.ts';
import { keys, listIndexKeys, listSortKey, purgeQueueKeys } from '../db/keys.ts';
import { type ListIndexName, tableDefinition } from '../db/table-definition.ts';
import { type GuardedWrite, transactWrite } from '../db/transactions.ts';
import type { Attachment } from './model.ts';
import { LIST_ITEM_FIELDS } from './present.ts';
import type { ListPosition } from './read/cursor.ts';

/** Set by every lifecycle write to its own time, epoch ms (see the module comment). */
export const CHANGED_AT = 'changedAt';

/** Every field of a record: what a list item shows, and the rest. */
const ATTACHMENT_FIELDS = [
  ...LIST_ITEM_FIELDS,
  'workspaceId',
  'projectId',
  'uploaderId',
  'sha256',
  'legalHold',
  'deletedAt',
  'purgeAfter',
] as const satisfies readonly (keyof Attachment)[];

export function attachmentFromItem(item: Record<string, unknown>): Attachment {
  const attachment = Object.fromEntries(
    ATTACHMENT_FIELDS.map((field) => [field, item[field] ?? null]),
  ) as unknown as Attachment;
  attachment.legalHold = item.legalHold === true;
  return attachment;
}

type AttachmentWithProject = Attachment & { projectId: string };

function attachmentItem(attachment: AttachmentWithProject, shardCount: number) {
  const live = attachment.deletedAt === null;
  return {
    ...keys.attachment(attachment.id),
    entity: 'attachment',
    ...withoutNulls(attachment),
    ...listIndexKeys(attachment, shardCount),
    ...(live ? { listSK: listSortKey(attachment.createdAt, attachment.id) } : {}),
  };
}

export type CommitRefusal = 'post_changed' | 'uploader_not_member';

/** The project of a post, or null when there is no such post. */
async function projectOfPost(ctx: TableContext, postId: string): Promise<string | null> {
  const { Item } = await ctx.db.send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: keys.post(postId),
      ConsistentRead: true,
      ProjectionExpression: 'projectId',
    }),
  );
  return typeof Item?.projectId === 'string' ? Item.projectId : null;
}

/**
 * Commits a new attachment atomically with the upload permission: the post must still exist,
 * not be deleted and be authored by the uploader, and the uploader must still be a member.
 * The post's project must be the attachment's (read from the post when the caller leaves it
 * out), so an attachment is always listed under the project its post is in.
 * Returns the reason when the transaction was refused. `alsoWrite` joins the same transaction
 * (an upload session settles with its attachment); its own condition errors are thrown as-is.
 */
export async function commitAttachment(
  ctx: TableContext,
  attachment: Attachment,
  alsoWrite: readonly GuardedWrite[] = [],
): Promise<CommitRefusal | null> {
  const projectId = attachment.projectId ?? (await projectOfPost(ctx, attachment.postId));
  if (projectId === null) return 'post_changed';
  const refused = (reason: CommitRefusal) => () => new CommitRefusedError(reason);
  try {
    await transactWrite(ctx, [
      {
        item: {
          ConditionCheck: {
            TableName: ctx.tableName,
            Key: keys.post(attachment.postId),
            ConditionExpression:
              'attribute_exists(PK) AND attribute_not_exists(deletedAt) AND authorId = :uploader AND workspaceId = :workspace AND projectId = :project',
            ExpressionAttributeValues: {
              ':uploader': attachment.uploaderId,
              ':workspace': attachment.workspaceId,
              ':project': projectId,
            },
          },
        },
        onConditionFailed: refused('post_changed'),
      },
      {
        item: {
          ConditionCheck: {
            TableName: ctx.tableName,
            Key: keys.membership(attachment.workspaceId, attachment.uploaderId),
            ConditionExpression: 'attribute_exists(PK)',
          },
        },
        onConditionFailed: refused('uploader_not_member'),
      },
      {
        item: {
          Put: {
            TableName: ctx.tableName,
            Item: attachmentItem({ ...attachment, projectId }, indexShardsOf(ctx)),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      },
      ...alsoWrite,
    ]);
    return null;
  } catch (error) {
    if (error instanceof CommitRefusedError) return error.reason;
    throw error;
  }
}

class CommitRefusedError extends Error {
  constructor(readonly reason: CommitRefusal) {
    super(reason);
  }
}

export async function getAttachment(ctx: TableContext, id: string): Promise<Attachment | null> {
  const Item = await readItem(ctx, keys.attachment(id));
  return Item ? attachmentFromItem(Item) : null;
}

export interface IndexPageRequest {
  indexName: ListIndexName;
  partitionValue: string;
  /** Only items strictly after this position (in newest-first order). */
  after: ListPosition | null;
  limit: number;
}

/**
 * What a list reads of an attachment: the fields of a list item (`LIST_ITEM_FIELDS`), all a
 * list index projects in the lean layout (`INDEX_READS`). Lists handle these, never whole
 * records. (The Query reads the entry as the index holds it, without a ProjectionExpression:
 * it would not lower the read units, which count the whole entry.)
 */
export type ListEntry = Pick<Attachment, (typeof LIST_ITEM_FIELDS)[number]>;

function listEntryFromItem(item: Record<string, unknown>): ListEntry {
  return Object.fromEntries(
    LIST_ITEM_FIELDS.map((field) => [field, item[field] ?? null]),
  ) as unknown as ListEntry;
}

export interface IndexPage {
  attachments: ListEntry[];
  /** True when the index holds more items after the last one returned. */
  more: boolean;
}

/** One page of a list index, newest first, starting strictly after a position. */
export async function queryListIndex(
  ctx: TableContext,
  request: IndexPageRequest,
): Promise<IndexPage> {
  const index = tableDefinition.globalSecondaryIndexes.find(
    (i) => i.indexName === request.indexName,
  );
  if (!index) throw new Error(`unknown index ${request.indexName}`);
  const after = request.after ? listSortKey(request.after.createdAt, request.after.id) : null;
  const result = await ctx.db.send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: after === null ? '#pk = :pk' : '#pk = :pk AND #sk < :after',
      ExpressionAttributeNames: {
        '#pk': index.partitionKey,
        ...(after === null ? {} : { '#sk': index.sortKey }),
      },
      ExpressionAttributeValues: {
        ':pk': request.partitionValue,
        ...(after === null ? {} : { ':after': after }),
      },
      ScanIndexForward: false,
      Limit: request.limit,
    }),
  );
  return {
    attachments: (result.Items ?? []).map(listEntryFromItem),
    more: result.LastEvaluatedKey !== undefined,
  };
}

/** `ttl` is a DynamoDB reserved word: always written through this placeholder. */
const TTL_NAME = { '#ttl': tableDefinition.timeToLiveAttribute };

/** Epoch seconds for the TTL attribute: rounded up, so DynamoDB never expires a record early. */
export const ttlOf = (purgeAfter: number): number => Math.ceil(purgeAfter / 1000);

/** SET clause + values that put a deleted, unheld attachment on TTL and in the purge queue. */
function purgeSchedule(ctx: TableContext, purgeAfter: number, id: string) {
  const queue = purgeQueueKeys(purgeAfter, id, indexShardsOf(ctx));
  return {
    set: '#ttl = :ttl, purgePK = :purgePK, purgeSK = :purgeSK',
    values: { ':ttl': ttlOf(purgeAfter), ':purgePK': queue.purgePK, ':purgeSK': queue.purgeSK },
  };
}

const UNSCHEDULE = '#ttl, purgePK, purgeSK';

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

export type DeleteRefusal = 'not_found' | 'legal_hold';
export type DeleteResult =
  | { deleted: Attachment; refusal: null }
  | { deleted: null; refusal: DeleteRefusal };

type ConditionalUpdate = Pick<
  UpdateCommandInput,
  | 'UpdateExpression'
  | 'ConditionExpression'
  | 'ExpressionAttributeNames'
  | 'ExpressionAttributeValues'
>;

/** A conditional update of one attachment: the record as written, or null if the condition failed. */
async function updateAttachmentIf(
  ctx: TableContext,
  id: string,
  update: ConditionalUpdate,
): Promise<Attachment | null> {
  try {
    const { Attributes } = await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: keys.attachment(id),
        ...update,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return attachmentFromItem(Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
}

/**
 * Soft-deletes a live attachment unless it is under legal hold, in one conditional write: a
 * hold set concurrently either lands first (and the delete is refused) or after (and holds the
 * deleted file). The same write puts it on TTL and in the purge queue. Returns the deleted
 * record as stored (a thumbnail added meanwhile included), or why it was refused.
 */
export async function markDeleted(
  ctx: TableContext,
  id: string,
  deletedAt: number,
  purgeAfter: number,
): Promise<DeleteResult> {
  const schedule = purgeSchedule(ctx, purgeAfter, id);
  const deleted = await updateAttachmentIf(ctx, id, {
    UpdateExpression: `SET deletedAt = :now, ${CHANGED_AT} = :now, purgeAfter = :purgeAfter, ${schedule.set} REMOVE listSK`,
    ConditionExpression:
      'attribute_exists(PK) AND attribute_not_exists(deletedAt) AND legalHold <> :held',
    ExpressionAttributeNames: TTL_NAME,
    ExpressionAttributeValues: {
      ':now': deletedAt,
      ':purgeAfter': purgeAfter,
      ':held': true,
      ...schedule.values,
    },
  });
  if (deleted) return { deleted, refusal: null };
  const current = await getAttachment(ctx, id);
  const refusal = current?.deletedAt === null && current.legalHold ? 'legal_hold' : 'not_found';
  return { deleted: null, refusal };
}

/** `markDeleted` for callers that only need to know whether (and why not) it happened. */
export async function softDeleteAttachment(
  ctx: TableContext,
  id: string,
  deletedAt: number,
  purgeAfter: number,
): Promise<DeleteRefusal | null> {
  return (await markDeleted(ctx, id, deletedAt, purgeAfter)).refusal;
}

/**
 * Puts a deleted attachment back exactly where it was: `listSK` from its own `createdAt` and
 * `id` (same list position), deletion and purge schedule removed, every other attribute
 * untouched. Only while deleted and within the grace period; null otherwise.
 */
export async function restoreAttachmentRecord(
  ctx: TableContext,
  attachment: Attachment,
  now: number,
): Promise<Attachment | null> {
  return updateAttachmentIf(ctx, attachment.id, {
    UpdateExpression: `SET listSK = :listSK, ${CHANGED_AT} = :now REMOVE deletedAt, purgeAfter, ${UNSCHEDULE}`,
    // This deletion, not a later one (a restore decided on an older read must not apply),
    // and not one the purge sweep has claimed.
    ConditionExpression:
      'deletedAt = :deletedAt AND purgeAfter > :now AND attribute_not_exists(purgingAt)',
    ExpressionAttributeNames: TTL_NAME,
    ExpressionAttributeValues: {
      ':listSK': listSortKey(attachment.createdAt, attachment.id),
      ':deletedAt': attachment.deletedAt,
      ':now': now,
    },
  });
}

/**
 * `legalHold` may be placed on a live attachment, or on a deleted one within its grace period;
 * a hold that is already there may be kept or lifted at any time (a held attachment is kept
 * past its grace period until the hold is lifted).
 */
export function mayHold(attachment: Attachment, enabled: boolean, now: number): boolean {
  if (attachment.deletedAt === null || attachment.legalHold || !enabled) return true;
  return (attachment.purgeAfter ?? 0) > now;
}

export type HoldWrite =
  | { outcome: 'written'; attachment: Attachment }
  /** The deletion state changed since `current` was read: read again and decide again. */
  | { outcome: 'conflict' }
  /** The record is gone, or the purge sweep has claimed it: it can no longer be held. */
  | { outcome: 'gone' };

/**
 * Sets `legalHold` on the attachment read as `current`, conditional on its deletion state
 * being unchanged. On a deleted attachment a hold also takes it off TTL and out of the purge
 * queue, and lifting the hold puts it back (due at once if its grace period is over).
 */
export async function writeLegalHold(
  ctx: TableContext,
  current: Attachment,
  enabled: boolean,
  now: number,
): Promise<HoldWrite> {
  const deleted = current.deletedAt !== null;
  const values: Record<string, unknown> = { ':hold': enabled, ':changedAt': now };
  const setHold = `SET legalHold = :hold, ${CHANGED_AT} = :changedAt`;
  let update: string;
  if (enabled) {
    update = `${setHold} REMOVE ${UNSCHEDULE}`;
  } else if (deleted) {
    const schedule = purgeSchedule(ctx, current.purgeAfter ?? now, current.id);
    update = `${setHold}, ${schedule.set}`;
    Object.assign(values, schedule.values);
  } else {
    update = setHold;
  }
  let condition = 'attribute_exists(PK) AND attribute_not_exists(deletedAt)';
  if (deleted) {
    // Never on a record the purge sweep has claimed: its files may already be going.
    condition =
      'deletedAt = :deletedAt AND purgeAfter = :purgeAfter AND attribute_not_exists(purgingAt)';
    Object.assign(values, { ':deletedAt': current.deletedAt, ':purgeAfter': current.purgeAfter });
    if (enabled) {
      // Placing a hold on a deleted attachment: only within grace, unless it is held already.
      condition += ' AND (purgeAfter > :now OR legalHold = :held)';
      Object.assign(values, { ':now': now, ':held': true });
    }
  }
  try {
    const { Attributes } = await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: keys.attachment(current.id),
        UpdateExpression: update,
        ConditionExpression: condition,
        ...(update.includes('#ttl') ? { ExpressionAttributeNames: TTL_NAME } : {}),
        ExpressionAttributeValues: values,
        // The old item with the hold as written is the answer: the condition guarantees
        // nothing else this write depends on changed.
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const before = attachmentFromItem(Attributes ?? {});
    return { outcome: 'written', attachment: { ...before, legalHold: enabled } };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const item = (error as ConditionalCheckFailedException).Item;
    return !item || item.purgingAt !== undefined ? { outcome: 'gone' } : { outcome: 'conflict' };
  }
}

/**
 * How long a purge claim excludes other runs. A sweep runs inside one Lambda invocation (at
 * most 15 minutes), so a claim older than that belongs to a run that is over (crashed or timed
 * out midway): it may be claimed again.
 */
export const PURGE_CLAIM_LEASE_MS = 15 * 60_000;

/** One purge run's claim: when, and which run (only that run may finish or release it). */
export interface PurgeClaim {
  now: number;
  run: string;
}

/**
 * The purge sweep claims a due record (deleted, deadline passed, not held) before it removes
 * any file: from then on no hold and no restore can apply to it (their writes require
 * `purgingAt` to be absent), so a hold never "succeeds" on a file that is being removed.
 * A claim excludes every other run for `PURGE_CLAIM_LEASE_MS`, so two runs at once never
 * purge the same record; a claim left by a run that stopped midway is taken over once it is
 * that old. Null when the record is not due (held, restored, gone, or claimed by a live run).
 */
export async function claimForPurge(
  ctx: TableContext,
  id: string,
  claim: PurgeClaim,
): Promise<Attachment | null> {
  return updateAttachmentIf(ctx, id, {
    UpdateExpression: 'SET purgingAt = :now, purgeRun = :run',
    ConditionExpression:
      'attribute_exists(deletedAt) AND purgeAfter <= :now AND legalHold <> :held AND ' +
      '(attribute_not_exists(purgingAt) OR purgingAt <= :leaseOver)',
    ExpressionAttributeValues: {
      ':now': claim.now,
      ':run': claim.run,
      ':held': true,
      ':leaseOver': claim.now - PURGE_CLAIM_LEASE_MS,
    },
  });
}

/**
 * Gives a claim back (storage refused the purge): the record is due again, and a hold or a
 * restore can apply to it again. Only the run that holds the claim; false otherwise.
 */
export async function releasePurgeClaim(
  ctx: TableContext,
  id: string,
  claim: PurgeClaim,
): Promise<boolean> {
  const released = await updateAttachmentIf(ctx, id, {
    UpdateExpression: 'REMOVE purgingAt, purgeRun',
    ConditionExpression: 'purgeRun = :run',
    ExpressionAttributeValues: { ':run': claim.run },
  });
  return released !== null;
}

/**
 * Deletes a record this run has claimed for purge. Returns what was deleted, or null if it is
 * gone or another run has taken the claim over.
 */
export async function purgeAttachmentRecord(
  ctx: TableContext,
  id: string,
  claim: PurgeClaim,
): Promise<Attachment | null> {
  try {
    const { Attributes } = await ctx.db.send(
      new DeleteCommand({
        TableName: ctx.tableName,
        Key: keys.attachment(id),
        ConditionExpression: 'purgeRun = :run',
        ExpressionAttributeValues: { ':run': claim.run },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes ? attachmentFromItem(Attributes) : null;
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
}

/**
 * Every attachment record, live or deleted (a full, strongly consistent table scan: only the
 * orphan sweep does this, on a slow schedule).
 */
export async function* scanAttachments(ctx: TableContext): AsyncIterable<Attachment> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ctx.db.send(
      new ScanCommand({
        TableName: ctx.tableName,
        FilterExpression: 'entity = :entity',
        ExpressionAttributeValues: { ':entity': 'attachment' },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) yield attachmentFromItem(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
