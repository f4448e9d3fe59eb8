import type { TableContext } from '../../db/client.ts';
import { withoutNulls } from '../../db/items.ts';
import { keys } from '../../db/keys.ts';
import { transactWrite } from '../../db/transactions.ts';
import { newId } from '../../ids.ts';
import { parseField } from '../../validation.ts';
import type { Role, User } from '../model.ts';
import { guard } from './guards.ts';
import { directoryInput } from './input.ts';
import { membershipItem } from './memberships.ts';

/** Creates a user as a member of a workspace: the user and the membership land together. */
export async function createUser(
  ctx: TableContext,
  input: { workspaceId: string; name: unknown; email: unknown; role: unknown; image?: unknown },
): Promise<User> {
  const role: Role = parseField('role', directoryInput.role, input.role);
  const user: User = {
    id: newId('user'),
    name: parseField('name', directoryInput.name, input.name),
    email: parseField('email', directoryInput.email, input.email),
    image:
      input.image === undefined ? null : parseField('image', directoryInput.imageUrl, input.image),
    createdAt: Date.now(),
  };
  await transactWrite(ctx, [
    guard.workspaceExists(ctx.tableName, input.workspaceId),
    {
      item: {
        Put: {
          TableName: ctx.tableName,
          Item: { ...keys.user(user.id), entity: 'user', ...withoutNulls(user) },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
    {
      item: {
        Put: {
          TableName: ctx.tableName,
          Item: membershipItem({ workspaceId: input.workspaceId, userId: user.id, role }),
        },
      },
    },
  ]);
  return user;
}
