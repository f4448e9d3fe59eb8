/**
 * Attachment records in the table. An attachment that is live carries `listSK`, which puts it
 * in the four list indexes; deleting removes `listSK` (gone from every list at once) and
 * restoring sets it again from `createdAt` and `id` (same position).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../db/client.ts';
import { withoutNulls } from '../db/items.ts';
import { keys, listIndexKeys, listSortKey } from '../db/keys.ts';
import type { ListIndexName } from '../db/table-definition.ts';
import { tableDefinition } from '../db/table-definition.ts';
import { transactWrite } from '../db/transactions.ts';
import type { ListPosition } from './cursor.ts';
import type { Attachment } from './model.ts';

const ATTACHMENT_FIELDS = [
  'id',
  'workspaceId',
  'postId',
  'uploaderId',
  'fileName',
  'originalFileName',
  'fileType',
  'mimeType',
  'fileSize',
  'sha256',
  'storageKey',
  'thumbnailKey',
  'width',
  'height',
  'duration',
  'createdAt',
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

function attachmentItem(attachment: Attachment) {
  const live = attachment.deletedAt === null;
  return {
    ...keys.attachment(attachment.id),
    entity: 'attachment',
    ...withoutNulls(attachment),
    ...listIndexKeys(attachment),
    ...(live ? { listSK: listSortKey(attachment.createdAt, attachment.id) } : {}),
  };
}

export type CommitRefusal = 'post_changed' | 'uploader_not_member';

/**
 * Commits a new attachment atomically with the upload permission: the post must still exist,
 * not be deleted and be authored by the uploader, and the uploader must still be a member.
 * Returns the reason when the transaction was refused.
 */
export async function commitAttachment(
  ctx: TableContext,
  attachment: Attachment,
): Promise<CommitRefusal | null> {
  const refused = (reason: CommitRefusal) => () => new CommitRefusedError(reason);
  try {
    await transactWrite(ctx, [
      {
        item: {
          ConditionCheck: {
            TableName: ctx.tableName,
            Key: keys.post(attachment.postId),
            ConditionExpression:
              'attribute_exists(PK) AND attribute_not_exists(deletedAt) AND authorId = :uploader AND workspaceId = :workspace',
            ExpressionAttributeValues: {
              ':uploader': attachment.uploaderId,
              ':workspace': attachment.workspaceId,
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
            Item: attachmentItem(attachment),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      },
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
  const { Item } = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: keys.attachment(id), ConsistentRead: true }),
  );
  return Item ? attachmentFromItem(Item) : null;
}

export interface IndexPageRequest {
  indexName: ListIndexName;
  partitionValue: string;
  /** Only items strictly after this position (in newest-first order). */
  after: ListPosition | null;
  limit: number;
}

export interface IndexPage {
  attachments: Attachment[];
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
    attachments: (result.Items ?? []).map(attachmentFromItem),
    more: result.LastEvaluatedKey !== undefined,
  };
}

export type DeleteRefusal = 'not_found' | 'legal_hold';

/**
 * Soft-deletes a live attachment unless it is under legal hold, in one conditional write: a
 * hold set concurrently either lands first (and the delete is refused) or after (and holds the
 * deleted file). Returns why it was refused, if it was.
 */
export async function softDeleteAttachment(
  ctx: TableContext,
  id: string,
  deletedAt: number,
  purgeAfter: number,
): Promise<DeleteRefusal | null> {
  try {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: keys.attachment(id),
        UpdateExpression: 'SET deletedAt = :now, purgeAfter = :purgeAfter REMOVE listSK',
        ConditionExpression:
          'attribute_exists(PK) AND attribute_not_exists(deletedAt) AND legalHold <> :held',
        ExpressionAttributeValues: { ':now': deletedAt, ':purgeAfter': purgeAfter, ':held': true },
      }),
    );
    return null;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const current = await getAttachment(ctx, id);
    if (!current || current.deletedAt !== null) return 'not_found';
    return current.legalHold ? 'legal_hold' : 'not_found';
  }
}
