import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import type { Membership } from './model.ts';

/** Read strongly consistent: a removed member or a changed role counts from the next request. */
export async function getMembership(
  ctx: TableContext,
  workspaceId: string,
  userId: string,
): Promise<Membership | null> {
  const { Item } = await ctx.db.send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: keys.membership(workspaceId, userId),
      ConsistentRead: true,
    }),
  );
  return Item ? { workspaceId, userId, role: Item.role } : null;
}
