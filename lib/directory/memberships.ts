import { readItem } from '../db/batch-get.ts';
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import type { Membership } from './model.ts';

/** Read strongly consistent: a removed member or a changed role counts from the next request. */
export async function getMembership(
  ctx: TableContext,
  workspaceId: string,
  userId: string,
): Promise<Membership | null> {
  const Item = await readItem(ctx, keys.membership(workspaceId, userId));
  return Item ? { workspaceId, userId, role: Item.role } : null;
}
