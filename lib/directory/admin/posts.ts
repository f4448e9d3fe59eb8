import type { TableContext } from '../../db/client.ts';
import { withoutNulls } from '../../db/items.ts';
import { keys } from '../../db/keys.ts';
import { type GuardedWrite, transactWrite } from '../../db/transactions.ts';
import { ValidationError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { parseField } from '../../validation.ts';
import type { Post } from '../model.ts';
import { getPost } from '../posts.ts';
import { getProject } from '../projects.ts';
import { guard } from './guards.ts';
import { directoryInput } from './input.ts';
import { missing } from './not-found.ts';

export async function createPost(
  ctx: TableContext,
  input: { projectId: string; authorId: string; title: unknown; status?: unknown },
): Promise<Post> {
  const title = parseField('title', directoryInput.name, input.title);
  const status =
    input.status === undefined
      ? 'published'
      : parseField('status', directoryInput.status, input.status);
  const project = await getProject(ctx, input.projectId);
  if (!project) throw missing.project(input.projectId);
  const post: Post = {
    id: newId('post'),
    workspaceId: project.workspaceId,
    projectId: project.id,
    authorId: input.authorId,
    title,
    status,
    createdAt: Date.now(),
    deletedAt: null,
  };
  await transactWrite(ctx, [
    guard.projectExists(ctx.tableName, project.id),
    // A post is only ever authored by a current member of its workspace.
    guard.isMember(ctx.tableName, project.workspaceId, input.authorId),
    {
      item: {
        Put: {
          TableName: ctx.tableName,
          Item: { ...keys.post(post.id), entity: 'post', ...withoutNulls(post) },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
  ]);
  return post;
}

/** Changes author, title or status of a live post; a deleted post can no longer be edited. */
export async function updatePost(
  ctx: TableContext,
  input: { postId: string; authorId?: string; title?: unknown; status?: unknown },
): Promise<void> {
  const changes: Record<string, unknown> = {};
  if (input.title !== undefined)
    changes.title = parseField('title', directoryInput.name, input.title);
  if (input.status !== undefined) {
    changes.status = parseField('status', directoryInput.status, input.status);
  }
  if (input.authorId !== undefined) changes.authorId = input.authorId;
  const names = Object.keys(changes);
  if (names.length === 0) {
    throw ValidationError.forField('post', 'nothing to update: give --author, --title or --status');
  }
  const post = await getPost(ctx, input.postId);
  if (!post || post.deletedAt !== null) throw missing.post(input.postId);

  const guards: GuardedWrite[] = [];
  if (input.authorId !== undefined) {
    guards.push(guard.isMember(ctx.tableName, post.workspaceId, input.authorId));
  }
  await transactWrite(ctx, [
    ...guards,
    {
      item: {
        Update: {
          TableName: ctx.tableName,
          Key: keys.post(post.id),
          UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(deletedAt)',
          ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
          ExpressionAttributeValues: Object.fromEntries(
            names.map((name) => [`:${name}`, changes[name]]),
          ),
        },
      },
      onConditionFailed: () => missing.post(post.id),
    },
  ]);
}

/** Soft delete: the post stays for the record but stops being visible at once. Idempotent. */
export async function deletePost(ctx: TableContext, postId: string): Promise<void> {
  await transactWrite(ctx, [
    {
      item: {
        Update: {
          TableName: ctx.tableName,
          Key: keys.post(postId),
          UpdateExpression: 'SET deletedAt = if_not_exists(deletedAt, :now)',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':now': Date.now() },
        },
      },
      onConditionFailed: () => missing.post(postId),
    },
  ]);
}
