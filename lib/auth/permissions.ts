/**
 * The visibility and permission rules of media-api.md §1–2, as pure functions over plain facts
 * so they can be tested exhaustively and reused by every endpoint. Data access decides *what*
 * the facts are (always read live); this module decides what they allow.
 */
import type { Post, Project, Role } from '../directory/model.ts';

export interface Viewer {
  userId: string;
  workspaceId: string;
  role: Role;
}

/** A project with the one fact about the viewer that visibility needs. */
export interface ProjectFacts {
  project: Pick<Project, 'workspaceId' | 'visibility'>;
  viewerIsProjectMember: boolean;
}

export const isWorkspaceAdmin = (viewer: Viewer): boolean =>
  viewer.role === 'owner' || viewer.role === 'admin';

/** Public projects: every member. Private: project members plus workspace owners/admins. */
export function canSeeProject(viewer: Viewer, facts: ProjectFacts): boolean {
  if (facts.project.workspaceId !== viewer.workspaceId) return false;
  if (facts.project.visibility === 'public') return true;
  return facts.viewerIsProjectMember || isWorkspaceAdmin(viewer);
}

type PostFacts = Pick<Post, 'workspaceId' | 'authorId' | 'status' | 'deletedAt'>;

/**
 * A post is visible when it exists, is not deleted, is in the viewer's workspace, its project
 * is visible to the viewer, and it is published or the viewer is its author.
 */
export function canSeePost(
  viewer: Viewer,
  post: PostFacts | null,
  project: ProjectFacts | null,
): boolean {
  if (!post || !project) return false;
  if (post.deletedAt !== null || post.workspaceId !== viewer.workspaceId) return false;
  if (!canSeeProject(viewer, project)) return false;
  return post.status === 'published' || post.authorId === viewer.userId;
}

export type UploadDecision = 'allowed' | 'post_not_found' | 'post_not_visible' | 'not_author';

/**
 * Upload: a post missing from the workspace (or deleted) is 404; a post the caller cannot see
 * is 403; only its current author may attach media.
 */
export function decideUpload(
  viewer: Viewer,
  post: PostFacts | null,
  project: ProjectFacts | null,
): UploadDecision {
  if (!post || post.workspaceId !== viewer.workspaceId || post.deletedAt !== null) {
    return 'post_not_found';
  }
  if (!canSeePost(viewer, post, project)) return 'post_not_visible';
  return post.authorId === viewer.userId ? 'allowed' : 'not_author';
}

/** Delete: the post's current author or a workspace owner/admin (visibility is checked first). */
export function canDeleteMedia(viewer: Viewer, post: PostFacts): boolean {
  return post.authorId === viewer.userId || isWorkspaceAdmin(viewer);
}

/** Legal holds and restores: workspace owners and admins only, decided before any lookup. */
export const canManageRetention = isWorkspaceAdmin;
