/**
 * Blob intents: how the orphan sweep finds stored objects no record refers to without listing
 * the bucket. Every writer of a media object records an intent *before* the object is written
 * (`recordBlobIntent`): the attachment it is for, its key, and an expiry. The intent is in the
 * due-work queue (`INTENT` partitions of `ByPurgeAfter`, sharded like the lists, sorted by the
 * expiry), so the sweep reads only intents whose expiry has passed, never the whole table.
 *
 * - An upload's file: the intent is deleted in the transaction that commits the attachment
 *   (`settleIntentWrite`), on condition that the sweep has not claimed it. So the commit and
 *   the sweep exclude each other: either the record commits (and the intent is gone) or the
 *   sweep claimed the intent (and the commit is refused). An upload that crashes, or whose
 *   commit outcome is unknown, leaves its intent behind for the sweep.
 * - A processing run's thumbnail: recorded by a conditional update of the attachment, not a
 *   transaction (processing writes stay cheap); the run drops the intent afterwards. A run
 *   ends within its Lambda timeout (120 s), far inside `INTENT_LIFETIME_MS`, so once an intent
 *   has expired its run is over: the record, read strongly consistent, says for good whether
 *   the thumbnail was recorded.
 *
 * An intent has no DynamoDB TTL on purpose: TTL would forget a blob the sweep has not removed.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { indexShardsOf, type TableContext } from '../../db/client.ts';
import { intentQueueKeys, keys } from '../../db/keys.ts';
import type { GuardedWrite } from '../../db/transactions.ts';

/**
 * How long after an intent is recorded the sweep may judge it: far longer than any writer
 * runs (an upload within 29 s, processing within 120 s, any Lambda within 15 minutes).
 */
export const INTENT_LIFETIME_MS = 60 * 60_000;

/** How long a sweep's claim on an intent excludes other runs (a Lambda runs ≤ 15 minutes). */
export const INTENT_CLAIM_LEASE_MS = 15 * 60_000;

export type BlobIntentKind = 'upload' | 'thumbnail';

export interface BlobIntent {
  attachmentId: string;
  blobKey: string;
  kind: BlobIntentKind;
  createdAt: number;
  /** Epoch ms after which the orphan sweep judges the blob. */
  expiresAt: number;
}

/** One sweep run's claim on intents: when, and which run. */
export interface IntentClaim {
  now: number;
  run: string;
}

export function blobIntentFromItem(item: Record<string, unknown>): BlobIntent {
  return {
    attachmentId: String(item.attachmentId),
    blobKey: String(item.blobKey),
    kind: item.kind === 'thumbnail' ? 'thumbnail' : 'upload',
    createdAt: Number(item.createdAt),
    expiresAt: Number(item.expiresAt),
  };
}

/** Records the intent to write `blobKey` for `attachmentId`; call before writing the blob. */
export async function recordBlobIntent(
  ctx: TableContext,
  intent: Pick<BlobIntent, 'attachmentId' | 'blobKey' | 'kind'>,
  now: number,
): Promise<BlobIntent> {
  const recorded: BlobIntent = { ...intent, createdAt: now, expiresAt: now + INTENT_LIFETIME_MS };
  await ctx.db.send(
    new PutCommand({
      TableName: ctx.tableName,
      Item: {
        ...keys.blobIntent(intent.attachmentId, intent.blobKey),
        entity: 'blob_intent',
        ...recorded,
        ...intentQueueKeys(recorded.expiresAt, intent.attachmentId, indexShardsOf(ctx)),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  return recorded;
}

/** The sweep claimed the intent first: the blob is being removed, the commit must not happen. */
export class IntentSweptError extends Error {
  constructor(readonly blobKey: string) {
    super(`the orphan sweep has claimed the intent of ${blobKey}: not committed`);
    this.name = 'IntentSweptError';
  }
}

/** The write that settles an upload's intent, for the transaction that commits its record. */
export function settleIntentWrite(
  ctx: TableContext,
  attachmentId: string,
  blobKey: string,
): GuardedWrite {
  return {
    item: {
      Delete: {
        TableName: ctx.tableName,
        Key: keys.blobIntent(attachmentId, blobKey),
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(sweptAt)',
      },
    },
    onConditionFailed: () => new IntentSweptError(blobKey),
  };
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/**
 * Drops an intent whose outcome its writer knows (the blob is recorded, or removed again).
 * Never one the sweep has claimed: that run finishes it. Returns false in that case.
 */
export function dropBlobIntent(
  ctx: TableContext,
  attachmentId: string,
  blobKey: string,
): Promise<boolean> {
  return deleteIntentIf(ctx, { attachmentId, blobKey }, 'attribute_not_exists(sweptAt)');
}

/** Deletes an intent if `condition` holds; false when it does not. */
async function deleteIntentIf(
  ctx: TableContext,
  intent: Pick<BlobIntent, 'attachmentId' | 'blobKey'>,
  condition: string,
  values?: Record<string, unknown>,
): Promise<boolean> {
  try {
    await ctx.db.send(
      new DeleteCommand({
        TableName: ctx.tableName,
        Key: keys.blobIntent(intent.attachmentId, intent.blobKey),
        ConditionExpression: condition,
        ...(values ? { ExpressionAttributeValues: values } : {}),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Claims an expired intent for one sweep run: from then on no commit can settle it, and no
 * other run takes it before `INTENT_CLAIM_LEASE_MS` (a run that stopped midway is over by
 * then). Null when it is gone (committed, dropped), not expired, or claimed by a live run.
 */
export async function claimExpiredIntent(
  ctx: TableContext,
  intent: Pick<BlobIntent, 'attachmentId' | 'blobKey'>,
  claim: IntentClaim,
): Promise<BlobIntent | null> {
  try {
    const { Attributes } = await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: keys.blobIntent(intent.attachmentId, intent.blobKey),
        UpdateExpression: 'SET sweptAt = :now, sweepRun = :run',
        ConditionExpression:
          'attribute_exists(PK) AND expiresAt <= :now AND ' +
          '(attribute_not_exists(sweptAt) OR sweptAt <= :leaseOver)',
        ExpressionAttributeValues: {
          ':now': claim.now,
          ':run': claim.run,
          ':leaseOver': claim.now - INTENT_CLAIM_LEASE_MS,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? blobIntentFromItem(Attributes) : null;
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
}

/** Deletes an intent this run has claimed and finished. False if another run took it over. */
export function deleteSweptIntent(
  ctx: TableContext,
  intent: Pick<BlobIntent, 'attachmentId' | 'blobKey'>,
  claim: IntentClaim,
): Promise<boolean> {
  return deleteIntentIf(ctx, intent, 'sweepRun = :run', { ':run': claim.run });
}
