import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import { newId } from '../ids.ts';
import { parseField } from '../validation.ts';
import { directoryInput, type Workspace } from './model.ts';

export async function createWorkspace(
  ctx: TableContext,
  input: { name: unknown },
): Promise<Workspace> {
  const workspace: Workspace = {
    id: newId('workspace'),
    name: parseField('name', directoryInput.name, input.name),
    createdAt: Date.now(),
  };
  await ctx.db.send(
    new PutCommand({
      TableName: ctx.tableName,
      Item: { ...keys.workspace(workspace.id), entity: 'workspace', ...workspace },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  return workspace;
}

export async function getWorkspace(ctx: TableContext, id: string): Promise<Workspace | null> {
  const { Item } = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: keys.workspace(id) }),
  );
  return Item ? { id: Item.id, name: Item.name, createdAt: Item.createdAt } : null;
}
