import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../../db/client.ts';
import { keys } from '../../db/keys.ts';
import { newId } from '../../ids.ts';
import { parseField } from '../../validation.ts';
import type { Workspace } from '../model.ts';
import { directoryInput } from './input.ts';

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
