import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import type { Workspace } from './model.ts';

export async function getWorkspace(ctx: TableContext, id: string): Promise<Workspace | null> {
  const { Item } = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: keys.workspace(id) }),
  );
  return Item ? { id: Item.id, name: Item.name, createdAt: Item.createdAt } : null;
}
