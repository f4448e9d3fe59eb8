/**
 * BatchGetItem for any number of keys: chunks of 100 (the API limit) read in parallel (one
 * round trip of latency whatever the number), retries `UnprocessedKeys` with a short backoff,
 * and returns the items by key so callers can look each one up without a per-item round trip.
 */
import { BatchGetCommand, GetCommand, type GetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './client.ts';
import type { ItemKey } from './keys.ts';

const MAX_KEYS_PER_BATCH = 100;
const MAX_ATTEMPTS = 6;

export const itemKeyString = (key: ItemKey): string => `${key.PK}\u0000${key.SK}`;

export type StoredItem = Record<string, unknown> & ItemKey;

export async function batchGetItems(
  ctx: TableContext,
  keys: readonly ItemKey[],
  { consistentRead = false } = {},
): Promise<Map<string, StoredItem>> {
  const unique = new Map(keys.map((key) => [itemKeyString(key), { PK: key.PK, SK: key.SK }]));
  const found = new Map<string, StoredItem>();
  const all: ItemKey[] = [];
  for (const [id, key] of unique) {
    const prefetched = ctx.prefetched?.take(key);
    if (prefetched === undefined) all.push(key);
    else if (prefetched !== null) found.set(id, prefetched);
  }
  const chunks: ItemKey[][] = [];
  for (let start = 0; start < all.length; start += MAX_KEYS_PER_BATCH) {
    chunks.push(all.slice(start, start + MAX_KEYS_PER_BATCH));
  }
  await Promise.all(chunks.map((chunk) => readChunk(ctx, chunk, consistentRead, found)));
  return found;
}

async function readChunk(
  ctx: TableContext,
  chunk: ItemKey[],
  consistentRead: boolean,
  found: Map<string, StoredItem>,
): Promise<void> {
  let pending = chunk;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_ATTEMPTS) throw new Error('BatchGetItem kept returning unprocessed keys');
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const result = await ctx.db.send(
      new BatchGetCommand({
        RequestItems: { [ctx.tableName]: { Keys: pending, ConsistentRead: consistentRead } },
      }),
    );
    for (const item of result.Responses?.[ctx.tableName] ?? []) {
      const stored = item as StoredItem;
      found.set(itemKeyString(stored), stored);
    }
    pending = (result.UnprocessedKeys?.[ctx.tableName]?.Keys ?? []) as ItemKey[];
  }
}

/**
 * One item by key, strongly consistent (an item this request read ahead comes from there).
 * Undefined when it does not exist.
 */
export async function readItem(ctx: TableContext, key: ItemKey): Promise<GetCommandOutput['Item']> {
  const prefetched = ctx.prefetched?.take(key);
  if (prefetched !== undefined) return prefetched ?? undefined;
  const { Item } = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }),
  );
  return Item;
}
