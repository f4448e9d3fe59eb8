/**
 * The existence checks directory writes put in their transactions, each with the error that
 * names what is missing, so "unknown id" is decided atomically with the write.
 */
import { keys } from '../../db/keys.ts';
import { conditionExists, type GuardedWrite } from '../../db/transactions.ts';
import { missing } from './not-found.ts';

export const guard = {
  workspaceExists: (tableName: string, workspaceId: string): GuardedWrite => ({
    item: conditionExists(tableName, keys.workspace(workspaceId)),
    onConditionFailed: () => missing.workspace(workspaceId),
  }),
  userExists: (tableName: string, userId: string): GuardedWrite => ({
    item: conditionExists(tableName, keys.user(userId)),
    onConditionFailed: () => missing.user(userId),
  }),
  projectExists: (tableName: string, projectId: string): GuardedWrite => ({
    item: conditionExists(tableName, keys.project(projectId)),
    onConditionFailed: () => missing.project(projectId),
  }),
  isMember: (tableName: string, workspaceId: string, userId: string): GuardedWrite => ({
    item: conditionExists(tableName, keys.membership(workspaceId, userId)),
    onConditionFailed: () => missing.membership(workspaceId, userId),
  }),
};
