import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../../db/client.ts';
import { keys } from '../../db/keys.ts';
import { orIfConditionFails, transactWrite } from '../../db/transactions.ts';
import { newId } from '../../ids.ts';
import { parseField } from '../../validation.ts';
import type { Project } from '../model.ts';
import { getProject } from '../projects.ts';
import { guard } from './guards.ts';
import { directoryInput } from './input.ts';
import { missing } from './not-found.ts';

export async function createProject(
  ctx: TableContext,
  input: { workspaceId: string; name: unknown; visibility?: unknown },
): Promise<Project> {
  const project: Project = {
    id: newId('project'),
    workspaceId: input.workspaceId,
    name: parseField('name', directoryInput.name, input.name),
    visibility:
      input.visibility === undefined
        ? 'public'
        : parseField('visibility', directoryInput.visibility, input.visibility),
    createdAt: Date.now(),
  };
  await transactWrite(ctx, [
    guard.workspaceExists(ctx.tableName, input.workspaceId),
    {
      item: {
        Put: {
          TableName: ctx.tableName,
          Item: { ...keys.project(project.id), entity: 'project', ...project },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
    {
      item: {
        Put: {
          TableName: ctx.tableName,
          Item: {
            ...keys.workspaceProject(project.workspaceId, project.id),
            entity: 'workspaceProject',
            projectId: project.id,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
  ]);
  return project;
}

async function requireProject(ctx: TableContext, projectId: string): Promise<Project> {
  const project = await getProject(ctx, projectId);
  if (!project) throw missing.project(projectId);
  return project;
}

/** Project members must be members of the project's workspace. */
export async function addProjectMember(
  ctx: TableContext,
  input: { projectId: string; userId: string },
): Promise<void> {
  const project = await requireProject(ctx, input.projectId);
  await transactWrite(ctx, [
    guard.projectExists(ctx.tableName, project.id),
    guard.isMember(ctx.tableName, project.workspaceId, input.userId),
    {
      item: {
        Put: {
          TableName: ctx.tableName,
          Item: {
            ...keys.projectMember(project.id, input.userId),
            entity: 'projectMember',
            projectId: project.id,
            userId: input.userId,
          },
        },
      },
    },
  ]);
}

export async function removeProjectMember(
  ctx: TableContext,
  input: { projectId: string; userId: string },
): Promise<void> {
  await requireProject(ctx, input.projectId);
  await orIfConditionFails(
    ctx.db.send(
      new DeleteCommand({
        TableName: ctx.tableName,
        Key: keys.projectMember(input.projectId, input.userId),
        ConditionExpression: 'attribute_exists(PK)',
      }),
    ),
    () => missing.projectMember(input.projectId, input.userId),
  );
}

export async function setProjectVisibility(
  ctx: TableContext,
  input: { projectId: string; visibility: unknown },
): Promise<void> {
  const visibility = parseField('visibility', directoryInput.visibility, input.visibility);
  await orIfConditionFails(
    ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: keys.project(input.projectId),
        UpdateExpression: 'SET visibility = :visibility',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':visibility': visibility },
      }),
    ),
    () => missing.project(input.projectId),
  );
}
