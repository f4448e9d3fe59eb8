import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../db/client.ts';
import { keys, workspaceProjectsRange } from '../db/keys.ts';
import type { QueryAhead } from '../db/prefetch.ts';
import type { Project } from './model.ts';

export function projectFromItem(item: Record<string, unknown>): Project {
  return {
    id: item.id as string,
    workspaceId: item.workspaceId as string,
    name: item.name as string,
    visibility: item.visibility as Project['visibility'],
    createdAt: item.createdAt as number,
  };
}

export async function getProject(ctx: TableContext, projectId: string): Promise<Project | null> {
  const { Item } = await ctx.db.send(
    new GetCommand({
      TableName: ctx.tableName,
      Key: keys.project(projectId),
      ConsistentRead: true,
    }),
  );
  return Item ? projectFromItem(Item) : null;
}

/**
 * Ids of a workspace's projects (strongly consistent, so a project created a moment ago is
 * there), at most `max`: null when the workspace has more. Projects created before workspaces
 * listed their projects are missing from it.
 */
export async function listWorkspaceProjectIds(
  ctx: TableContext,
  workspaceId: string,
  max: number,
): Promise<string[] | null> {
  const ahead = ctx.prefetched?.takeQuery?.(projectIdsQuery(workspaceId, max).id);
  if (ahead) return (await ahead) as string[] | null;
  return readWorkspaceProjectIds(ctx, workspaceId, max);
}

/** `listWorkspaceProjectIds` as a read ahead (`QueryAhead`), started during authentication. */
export const projectIdsQuery = (workspaceId: string, max: number): QueryAhead => ({
  id: `project-ids:${workspaceId}:${max}`,
  run: (ctx) => readWorkspaceProjectIds(ctx, workspaceId, max),
});

async function readWorkspaceProjectIds(
  ctx: TableContext,
  workspaceId: string,
  max: number,
): Promise<string[] | null> {
  const range = workspaceProjectsRange(workspaceId);
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ctx.db.send(
      new QueryCommand({
        TableName: ctx.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': range.PK, ':prefix': range.skPrefix },
        ProjectionExpression: 'projectId',
        ConsistentRead: true,
        // One beyond `max` tells "more than max" without reading the rest.
        Limit: max + 1 - ids.length,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) ids.push(item.projectId as string);
    startKey = page.LastEvaluatedKey;
  } while (startKey && ids.length <= max);
  return ids.length > max ? null : ids;
}
