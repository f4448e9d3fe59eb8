/**
 * TransactWriteItems where every condition carries the error to raise when it fails, so a
 * cancelled transaction becomes a precise API error ("workspace … does not exist") instead of
 * a generic one.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './client.ts';
import type { ItemKey } from './keys.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface GuardedWrite {
  item: TransactItem;
  /** Raised when this item's condition is the reason the transaction was cancelled. */
  onConditionFailed?: () => Error;
}

/** Errors raised by `onConditionFailed`: each stands for a cancelled transaction. */
const cancellations = new WeakSet<object>();

export async function transactWrite(ctx: TableContext, writes: GuardedWrite[]): Promise<void> {
  try {
    await ctx.db.send(new TransactWriteCommand({ TransactItems: writes.map((w) => w.item) }));
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
      const onFailed = failed >= 0 ? writes[failed]?.onConditionFailed : undefined;
      if (onFailed) {
        const refusal = onFailed();
        cancellations.add(refusal);
        throw refusal;
      }
    }
    throw error;
  }
}

/**
 * True when `error` (thrown by `transactWrite`) says the transaction was cancelled, so none of
 * it was written. Any other error leaves the outcome unknown: a timeout may follow a commit.
 */
export function wasCancelled(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException ||
    (typeof error === 'object' && error !== null && cancellations.has(error))
  );
}

/** Shorthand for the most common guard: the item at `key` must exist. */
export function conditionExists(tableName: string, key: ItemKey): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: { ...key },
      ConditionExpression: 'attribute_exists(PK)',
    },
  };
}

/**
 * Runs a single conditional write and turns a failed condition into the caller's error
 * (typically "… does not exist"); every other failure passes through.
 */
export async function orIfConditionFails<T>(write: Promise<T>, onFailed: () => Error): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw onFailed();
    throw error;
  }
}
