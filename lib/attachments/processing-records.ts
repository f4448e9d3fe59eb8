/**
 * What processing learns about a stored file, written onto its attachment record. Storage
 * events arrive at least once and in any order, so the write is conditional and never
 * overwrites: the attachment must exist and not be deleted (a late event never resurrects a
 * deleted attachment), a thumbnail is only recorded when none is, and width, height and
 * duration only where they are unknown (stored as absent, see `lib/db/items.ts`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import type { Attachment, Placeholder } from './model.ts';
import { attachmentFromItem, CHANGED_AT } from './records.ts';

export interface ProcessingFindings {
  thumbnailKey?: string;
  /** Recorded only together with `thumbnailKey` (it describes that thumbnail). */
  placeholder?: Placeholder;
  width?: number;
  height?: number;
  duration?: number;
}

/** The updated attachment, or null when the conditions refused the write. */
export async function recordProcessingFindings(
  ctx: TableContext,
  attachmentId: string,
  findings: ProcessingFindings,
  now: number = Date.now(),
): Promise<Attachment | null> {
  const sets: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let condition = 'attribute_exists(PK) AND attribute_not_exists(deletedAt)';
  if (findings.thumbnailKey !== undefined) {
    sets.push('thumbnailKey = :thumbnailKey');
    values[':thumbnailKey'] = findings.thumbnailKey;
    condition += ' AND attribute_not_exists(thumbnailKey)';
    if (findings.placeholder !== undefined) {
      sets.push('placeholder = :placeholder');
      values[':placeholder'] = findings.placeholder;
    }
  }
  for (const field of ['width', 'height', 'duration'] as const) {
    const value = findings[field];
    if (value === undefined) continue;
    // Through a placeholder: `duration` is a DynamoDB reserved word.
    sets.push(`#${field} = if_not_exists(#${field}, :${field})`);
    names[`#${field}`] = field;
    values[`:${field}`] = value;
  }
  if (sets.length === 0) throw new Error('recordProcessingFindings: nothing to record');
  // The time of its `media.processed` (see `CHANGED_AT`).
  sets.push(`${CHANGED_AT} = :changedAt`);
  values[':changedAt'] = now;
  try {
    const { Attributes } = await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: keys.attachment(attachmentId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return attachmentFromItem(Attributes ?? {});
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return null;
    throw error;
  }
}
