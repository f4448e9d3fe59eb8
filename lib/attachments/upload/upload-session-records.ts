/**
 * Upload-session records. A session is `pending` until it settles exactly once: `completed`
 * (in the same transaction that commits its attachment, so two concurrent completes cannot
 * both commit) or `failed` (its bytes were refused; the refusal is kept so that a repeated
 * complete answers the same). DynamoDB TTL removes the record a day after the session could
 * last be completed; until then a completed session answers repeated completes.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../../db/client.ts';
import { withoutNulls } from '../../db/items.ts';
import { keys } from '../../db/keys.ts';
import { tableDefinition } from '../../db/table-definition.ts';
import type { GuardedWrite } from '../../db/transactions.ts';

export type UploadSessionStatus = 'pending' | 'completed' | 'failed';

/** The error answer a failed session repeats (media-api.md §3 envelope fields). */
export interface UploadSessionFailure {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface UploadSession {
  id: string;
  workspaceId: string;
  /** The user whose key created the session; only they can complete it. */
  userId: string;
  postId: string;
  fileName: string;
  /** As the client declared it (error messages name it that way). */
  mimeType: string;
  fileSize: number;
  /** Lower-case hex, when the client gave one. */
  sha256: string | null;
  width: number | null;
  height: number | null;
  duration: number | null;
  stagingKey: string;
  createdAt: number;
  /** Epoch ms after which the upload URL accepts no new upload. */
  expiresAt: number;
  /** Epoch ms after which the session can no longer be completed. */
  completeBy: number;
  status: UploadSessionStatus;
  attachmentId: string | null;
  failure: UploadSessionFailure | null;
}

/** `status` is a DynamoDB reserved word. */
const STATUS = { '#status': 'status' };

const FIELDS = [
  'id',
  'workspaceId',
  'userId',
  'postId',
  'fileName',
  'mimeType',
  'fileSize',
  'sha256',
  'width',
  'height',
  'duration',
  'stagingKey',
  'createdAt',
  'expiresAt',
  'completeBy',
  'status',
  'attachmentId',
  'failure',
] as const satisfies readonly (keyof UploadSession)[];

function sessionFromItem(item: Record<string, unknown>): UploadSession {
  return Object.fromEntries(
    FIELDS.map((field) => [field, item[field] ?? null]),
  ) as unknown as UploadSession;
}

/** Creates a new pending session; `expireAfter` (epoch ms) becomes its TTL. */
export async function putUploadSession(
  ctx: TableContext,
  session: UploadSession,
  expireAfter: number,
): Promise<void> {
  await ctx.db.send(
    new PutCommand({
      TableName: ctx.tableName,
      Item: {
        ...keys.uploadSession(session.id),
        entity: 'upload_session',
        ...withoutNulls(session),
        [tableDefinition.timeToLiveAttribute]: Math.ceil(expireAfter / 1000),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

export async function getUploadSession(
  ctx: TableContext,
  id: string,
): Promise<UploadSession | null> {
  const { Item } = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: keys.uploadSession(id), ConsistentRead: true }),
  );
  return Item ? sessionFromItem(Item) : null;
}

/** The session settled before this request could settle it (a concurrent complete won). */
export class UploadSessionSettledError extends Error {
  constructor(readonly uploadId: string) {
    super(`upload session ${uploadId} is no longer pending`);
  }
}

/**
 * The write that completes a pending session with its attachment, for the transaction that
 * commits the attachment: if the session is no longer pending, nothing is committed.
 */
export function completeSessionWrite(
  ctx: TableContext,
  uploadId: string,
  attachmentId: string,
  now: number,
): GuardedWrite {
  return {
    item: {
      Update: {
        TableName: ctx.tableName,
        Key: keys.uploadSession(uploadId),
        UpdateExpression: 'SET #status = :completed, attachmentId = :attachment, settledAt = :now',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: STATUS,
        ExpressionAttributeValues: {
          ':completed': 'completed',
          ':pending': 'pending',
          ':attachment': attachmentId,
          ':now': now,
        },
      },
    },
    onConditionFailed: () => new UploadSessionSettledError(uploadId),
  };
}

/** Marks a pending session failed with the answer it gave; false if it had already settled. */
export async function failUploadSession(
  ctx: TableContext,
  uploadId: string,
  failure: UploadSessionFailure,
  now: number,
): Promise<boolean> {
  try {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: keys.uploadSession(uploadId),
        UpdateExpression: 'SET #status = :failed, failure = :failure, settledAt = :now',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: STATUS,
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':pending': 'pending',
          ':failure': withoutNulls(failure),
          ':now': now,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
