/**
 * Live visibility of posts for one caller, read in batches: all posts in one BatchGetItem, then
 * their projects and (for plain members of private projects) the caller's project memberships
 * in a second one. Never cached beyond the request; one instance serves one request.
 */
import {
  canSeePost,
  isWorkspaceAdmin,
  type ProjectFacts,
  type Viewer,
} from '../auth/permissions.ts';
import { batchGetItems, itemKeyString } from '../db/batch-get.ts';
import type { TableContext } from '../db/client.ts';
import { type ItemKey, keys } from '../db/keys.ts';
import type { Post } from '../directory/model.ts';
import { postFromItem } from '../directory/posts.ts';
import { projectFromItem } from '../directory/projects.ts';

export interface PostAccess {
  post: Post | null;
  project: ProjectFacts | null;
  visible: boolean;
}

export class VisibilityResolver {
  private readonly resolved = new Map<string, PostAccess>();

  constructor(
    private readonly ctx: TableContext,
    readonly viewer: Viewer,
  ) {}

  /** Resolves every post id not seen yet in two batched reads, whatever the number of ids. */
  async load(postIds: Iterable<string>): Promise<void> {
    const wanted = [...new Set(postIds)].filter((id) => !this.resolved.has(id));
    if (wanted.length === 0) return;

    const postItems = await batchGetItems(this.ctx, wanted.map(keys.post), {
      consistentRead: true,
    });
    const posts = new Map<string, Post>();
    for (const id of wanted) {
      const item = postItems.get(itemKeyString(keys.post(id)));
      // Posts of other workspaces are treated exactly like missing ones: never leak existence.
      if (item && item.workspaceId === this.viewer.workspaceId) posts.set(id, postFromItem(item));
    }

    const projectIds = new Set([...posts.values()].map((post) => post.projectId));
    const projectKeys: ItemKey[] = [...projectIds].map(keys.project);
    // Owners and admins see every project of their workspace; only members need the row.
    if (!isWorkspaceAdmin(this.viewer)) {
      for (const projectId of projectIds) {
        projectKeys.push(keys.projectMember(projectId, this.viewer.userId));
      }
    }
    const projectItems = await batchGetItems(this.ctx, projectKeys, { consistentRead: true });

    for (const id of wanted) {
      const post = posts.get(id) ?? null;
      const projectItem = post && projectItems.get(itemKeyString(keys.project(post.projectId)));
      const project: ProjectFacts | null =
        post && projectItem
          ? {
              project: projectFromItem(projectItem),
              viewerIsProjectMember: projectItems.has(
                itemKeyString(keys.projectMember(post.projectId, this.viewer.userId)),
              ),
            }
          : null;
      this.resolved.set(id, { post, project, visible: canSeePost(this.viewer, post, project) });
    }
  }

  /** Access facts of a post loaded earlier (`load` must have seen the id). */
  access(postId: string): PostAccess {
    const access = this.resolved.get(postId);
    if (!access) throw new Error(`post ${postId} was not loaded`);
    return access;
  }

  async accessOf(postId: string): Promise<PostAccess> {
    await this.load([postId]);
    return this.access(postId);
  }
}
