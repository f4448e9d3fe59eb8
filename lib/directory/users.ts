import { batchGetItems, itemKeyString } from '../db/batch-get.ts';
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import type { User } from './model.ts';

function fromItem(item: Record<string, unknown>): User {
  return {
    id: item.id as string,
    name: item.name as string,
    email: item.email as string,
    image: (item.image as string | undefined) ?? null,
    createdAt: item.createdAt as number,
  };
}

/** Users by id in one batched read (authors of a page of attachments). */
export async function getUsers(
  ctx: TableContext,
  ids: Iterable<string>,
): Promise<Map<string, User>> {
  const wanted = [...new Set(ids)];
  const items = await batchGetItems(ctx, wanted.map(keys.user));
  const users = new Map<string, User>();
  for (const id of wanted) {
    const item = items.get(itemKeyString(keys.user(id)));
    if (item) users.set(id, fromItem(item));
  }
  return users;
}
