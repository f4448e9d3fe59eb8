import { readItem } from '../db/batch-get.ts';
import type { TableContext } from '../db/client.ts';
import { keys } from '../db/keys.ts';
import type { Post } from './model.ts';

export function postFromItem(item: Record<string, unknown>): Post {
  return {
    id: item.id as string,
    workspaceId: item.workspaceId as string,
    projectId: item.projectId as string,
    authorId: item.authorId as string,
    title: item.title as string,
    status: item.status as Post['status'],
    createdAt: item.createdAt as number,
    deletedAt: (item.deletedAt as number | undefined) ?? null,
  };
}

export async function getPost(ctx: TableContext, postId: string): Promise<Post | null> {
  const Item = await readItem(ctx, keys.post(postId));
  return Item ? postFromItem(Item) : null;
}
