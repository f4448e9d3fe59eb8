import { readItem } from '../db/batch-get.ts';
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import type { ApiKeyRecord } from './model.ts';

/** Strongly consistent: a revoked key stops working on the very next request. */
export async function getApiKeyRecord(
  ctx: TableContext,
  keyId: string,
): Promise<ApiKeyRecord | null> {
  const Item = await readItem(ctx, keys.apiKey(keyId));
  if (!Item) return null;
  return {
    id: Item.id,
    workspaceId: Item.workspaceId,
    userId: Item.userId,
    scopes: Item.scopes,
    keyHash: Item.keyHash,
    createdAt: Item.createdAt,
    expiresAt: Item.expiresAt ?? null,
    revokedAt: Item.revokedAt ?? null,
  };
}
