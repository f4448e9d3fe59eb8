/**
 * Which partitions a workspace-wide list reads. A caller who can see every project of the
 * workspace reads the workspace index: nothing in it is invisible by project. A member who
 * cannot see some projects reads only the partitions of the projects they can see, so items of
 * invisible projects, and their posts, are never read. Project visibility is read live from
 * the project items (strongly consistent); the facts stay in the request's resolver, which
 * then checks each post (drafts of others, deleted posts) without reading its project again.
 */
import { isWorkspaceAdmin } from '../../auth/permissions.ts';
import type { TableContext } from '../../db/client.ts';
import type { RoutePrefetch } from '../../db/prefetch.ts';
import { listWorkspaceProjectIds, projectIdsQuery } from '../../directory/projects.ts';
import type { VisibilityResolver } from './visibility.ts';

/**
 * Most index partitions one list merges (each visible project brings all its shards). Every
 * partition costs at least one Query per page, so beyond this the workspace index (reading
 * through invisible items) costs less.
 */
export const MAX_MERGED_PARTITIONS = 64;

/** Most visible projects whose partitions one list merges, with `shardCount` shards each. */
export const maxMergedProjects = (shardCount: number): number =>
  Math.max(1, Math.floor(MAX_MERGED_PARTITIONS / shardCount));

/**
 * Most projects whose visibility a list reads (one item each, plus the caller's membership):
 * a workspace with more takes the workspace index without reading any.
 */
export const MAX_PROJECTS_CHECKED = 100;

/**
 * A workspace-wide list's read ahead: the workspace's project ids, queried together with the
 * caller's membership (who is a plain member is known only from it). An owner's or admin's
 * list then does not use them: one small Query for nothing, but a member's list saves a
 * sequential round trip.
 */
export const workspaceListPrefetch: RoutePrefetch = {
  queriesWithMembership: (caller) => [projectIdsQuery(caller.workspaceId, MAX_PROJECTS_CHECKED)],
};

export type WorkspaceListScope =
  | { kind: 'workspace' }
  | { kind: 'projects'; visibleProjectIds: string[] };

const WHOLE_WORKSPACE: WorkspaceListScope = { kind: 'workspace' };

export async function workspaceListScope(
  ctx: TableContext,
  visibility: VisibilityResolver,
  shardCount: number,
): Promise<WorkspaceListScope> {
  const { viewer } = visibility;
  // Owners and admins see every project: no need to read any.
  if (isWorkspaceAdmin(viewer)) return WHOLE_WORKSPACE;
  const projectIds = await listWorkspaceProjectIds(ctx, viewer.workspaceId, MAX_PROJECTS_CHECKED);
  if (projectIds === null) return WHOLE_WORKSPACE;

  // Projects and the caller's memberships of them in one round (parallel batches): reading a
  // membership row per public project costs less than a second sequential round trip.
  await visibility.loadProjects(projectIds);
  const visibleProjectIds = projectIds.filter((id) => visibility.canSeeProject(id));
  // All visible (also: no project listed, e.g. a workspace older than its project list): the
  // workspace index holds nothing to skip. Too many visible: merging would cost more.
  if (
    visibleProjectIds.length === projectIds.length ||
    visibleProjectIds.length > maxMergedProjects(shardCount)
  ) {
    return WHOLE_WORKSPACE;
  }
  return { kind: 'projects', visibleProjectIds };
}
