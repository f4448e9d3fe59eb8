/**
 * Live visibility of posts for one caller, read in batches: all posts in one BatchGetItem, then
 * their projects and (for plain members) the caller's project memberships in a second one.
 * Project facts read once serve every later post of the same project. Never cached beyond the
 * request; one instance serves one request.
 */
import {
  canSeePost,
  canSeeProject,
  isWorkspaceAdmin,
  type ProjectFacts,
  type Viewer,
} from '../../auth/permissions.ts';
import { batchGetItems, itemKeyString } from '../../db/batch-get.ts';
import type { TableContext } from '../../db/client.ts';
import { type ItemKey, keys } from '../../db/keys.ts';
import type { RoutePrefetch } from '../../db/prefetch.ts';
import type { Post } from '../../directory/model.ts';
import { postFromItem } from '../../directory/posts.ts';
import { projectFromItem } from '../../directory/projects.ts';
import { isId } from '../../ids.ts';

/**
 * What `accessOf(postId)` reads, for authentication to read ahead (`prefetch.ts`): the post
 * with the API key, then its project and the caller's project membership with the caller's
 * membership, plus `alsoWithMembership`. A post of another workspace is treated as missing:
 * nothing of it is read further. `postId` straight from the request (checked for its shape).
 */
export function postAccessPrefetch(
  postId: unknown,
  alsoWithMembership: (caller: { workspaceId: string; userId: string }) => ItemKey[] = () => [],
): RoutePrefetch {
  const postKey = isId('post', postId) ? keys.post(postId) : undefined;
  return {
    withKey: postKey ? [postKey] : [],
    withMembership: (caller, peek) => {
      const post = postKey ? peek(postKey) : undefined;
      const projectId = post?.workspaceId === caller.workspaceId ? post?.projectId : undefined;
      return [
        ...alsoWithMembership(caller),
        ...(typeof projectId === 'string'
          ? [keys.project(projectId), keys.projectMember(projectId, caller.userId)]
          : []),
      ];
    },
  };
}

export interface PostAccess {
  post: Post | null;
  project: ProjectFacts | null;
  visible: boolean;
}

export class VisibilityResolver {
  private readonly resolved = new Map<string, PostAccess>();
  /** Null: no such project. */
  private readonly projects = new Map<string, ProjectFacts | null>();

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

    await this.loadProjects([...posts.values()].map((post) => post.projectId));
    for (const id of wanted) {
      const post = posts.get(id) ?? null;
      const project = post && this.projectFacts(post.projectId);
      this.resolved.set(id, { post, project, visible: canSeePost(this.viewer, post, project) });
    }
  }

  /**
   * Reads the facts of every project not read yet. Plain members also need their project
   * membership, which only matters for private projects: by default it is read in the same
   * batch for every project (one round trip, as a single post wants); with
   * `membershipsOfPrivateOnly` a second batch reads it only for the private ones (fewer reads
   * when checking many projects at once; `viewerIsProjectMember` is then false for public ones).
   */
  async loadProjects(
    projectIds: Iterable<string>,
    { membershipsOfPrivateOnly = false } = {},
  ): Promise<void> {
    const wanted = [...new Set(projectIds)].filter((id) => !this.projects.has(id));
    if (wanted.length === 0) return;

    // Owners and admins see every project of their workspace; only members need the row.
    const needsMemberships = !isWorkspaceAdmin(this.viewer);
    const items = await this.readProjectItems(
      wanted,
      needsMemberships && !membershipsOfPrivateOnly ? wanted : [],
    );
    if (needsMemberships && membershipsOfPrivateOnly) {
      const privateIds = wanted.filter(
        (id) => items.get(itemKeyString(keys.project(id)))?.visibility === 'private',
      );
      for (const [key, item] of await this.readProjectItems([], privateIds)) items.set(key, item);
    }
    for (const id of wanted) {
      const item = items.get(itemKeyString(keys.project(id)));
      this.projects.set(
        id,
        item
          ? {
              project: projectFromItem(item),
              viewerIsProjectMember: items.has(this.membershipKeyString(id)),
            }
          : null,
      );
    }
  }

  /** Project items and the caller's membership items of some projects, in one batched read. */
  private readProjectItems(projectIds: string[], membershipOf: string[]) {
    const wanted: ItemKey[] = [
      ...projectIds.map(keys.project),
      ...membershipOf.map((id) => keys.projectMember(id, this.viewer.userId)),
    ];
    return batchGetItems(this.ctx, wanted, { consistentRead: true });
  }

  private membershipKeyString(projectId: string): string {
    return itemKeyString(keys.projectMember(projectId, this.viewer.userId));
  }

  /** Facts of a project loaded earlier (`loadProjects` must have seen the id); null if missing. */
  projectFacts(projectId: string): ProjectFacts | null {
    const facts = this.projects.get(projectId);
    if (facts === undefined) throw new Error(`project ${projectId} was not loaded`);
    return facts;
  }

  /** Whether the caller sees a project loaded earlier (a missing project is not seen). */
  canSeeProject(projectId: string): boolean {
    const facts = this.projectFacts(projectId);
    return facts !== null && canSeeProject(this.viewer, facts);
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
