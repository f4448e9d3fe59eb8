import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../../db/client.ts';
import { keys } from '../../db/keys.ts';
import { orIfConditionFails, transactWrite } from '../../db/transactions.ts';
import { parseField } from '../../validation.ts';
import type { Membership } from '../model.ts';
import { guard } from './guards.ts';
import { directoryInput } from './input.ts';
import { missing } from './not-found.ts';

export function membershipItem(membership: Membership) {
  return {
    ...keys.membership(membership.workspaceId, membership.userId),
    entity: 'membership',
    ...membership,
  };
}

/** Sets a user's role in a workspace, adding the membership if the user had none there. */
export async function setMemberRole(
  ctx: TableContext,
  input: { workspaceId: string; userId: string; role: unknown },
): Promise<void> {
  const role = parseField('role', directoryInput.role, input.role);
  await transactWrite(ctx, [
    guard.workspaceExists(ctx.tableName, input.workspaceId),
    guard.userExists(ctx.tableName, input.userId),
    {
      item: {
        Put: {
          TableName: ctx.tableName,
          Item: membershipItem({ workspaceId: input.workspaceId, userId: input.userId, role }),
        },
      },
    },
  ]);
}

export async function removeMember(
  ctx: TableContext,
  input: { workspaceId: string; userId: string },
): Promise<void> {
  await orIfConditionFails(
    ctx.db.send(
      new DeleteCommand({
        TableName: ctx.tableName,
        Key: keys.membership(input.workspaceId, input.userId),
        ConditionExpression: 'attribute_exists(PK)',
      }),
    ),
    () => missing.membership(input.workspaceId, input.userId),
  );
}
