import { batchGetItems, itemKeyString } from '../db/batch-get.ts';
import type { TableContext } from '../db/client.ts';
import { withoutNulls } from '../db/items.ts';
import { keys } from '../db/keys.ts';
import { transactWrite } from '../db/transactions.ts';
import { newId } from '../ids.ts';
import { parseField } from '../validation.ts';
import { guard } from './guards.ts';
import { membershipItem } from './memberships.ts';
import { directoryInput, type Role, type User } from './model.ts';

function fromItem(item: Record<string, unknown>): User {
  return {
    id: item.id as string,
    name: item.name as string,
    email: item.email as string,
    image: (item.image as string | undefined) ?? null,
    createdAt: item.createdAt as number,
  };
}

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
