import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { generateApiKey } from '../../auth/api-keys.ts';
import { SCOPES, type Scope } from '../../auth/scopes.ts';
import type { TableContext } from '../../db/client.ts';
import { withoutNulls } from '../../db/items.ts';
import { keys } from '../../db/keys.ts';
import { orIfConditionFails, transactWrite } from '../../db/transactions.ts';
import { parseField } from '../../validation.ts';
import type { ApiKeyRecord } from '../model.ts';
import { guard } from './guards.ts';
import { directoryInput } from './input.ts';
import { missing } from './not-found.ts';

/** Creates a key for a current member; returns the record and the secret (shown only once). */
export async function createApiKey(
  ctx: TableContext,
  input: { workspaceId: string; userId: string; scopes?: unknown; expiresAt?: unknown },
): Promise<{ record: ApiKeyRecord; key: string }> {
  const scopes: Scope[] =
    input.scopes === undefined
      ? [...SCOPES]
      : parseField('scopes', directoryInput.scopes, input.scopes);
  const expiresAt =
    input.expiresAt === undefined
      ? null
      : parseField('expiresAt', directoryInput.epochMs, input.expiresAt);
  const generated = generateApiKey();
  const record: ApiKeyRecord = {
    id: generated.keyId,
    workspaceId: input.workspaceId,
    userId: input.userId,
    scopes: [...new Set(scopes)],
    keyHash: generated.keyHash,
    createdAt: Date.now(),
    expiresAt,
    revokedAt: null,
  };
  await transactWrite(ctx, [
    guard.isMember(ctx.tableName, input.workspaceId, input.userId),
    {
      item: {
        Put: {
          TableName: ctx.tableName,
          Item: { ...keys.apiKey(record.id), entity: 'apiKey', ...withoutNulls(record) },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
  ]);
  return { record, key: generated.key };
}

/** Revoking twice keeps the first revocation time. */
export async function revokeApiKey(ctx: TableContext, keyId: string): Promise<void> {
  await orIfConditionFails(
    ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: keys.apiKey(keyId),
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':now': Date.now() },
      }),
    ),
    () => missing.apiKey(keyId),
  );
}
