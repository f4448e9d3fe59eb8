/**
 * The directory: who can call the API and what their media belongs to. These are the shapes
 * the domain works with; `PK`/`SK` and index attributes never leave the entity modules.
 *
 * The entity modules beside this one hold the reads that serving a request needs. The writes
 * (the admin CLI's, the demo seed's, the tests'), validated with `admin/input.ts`, live in
 * `admin/`: no Lambda handler reaches them, so no bundle carries their input rules.
 */
import type { SCOPES } from '../auth/scopes.ts';

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];
export const VISIBILITIES = ['public', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export const POST_STATUSES = ['draft', 'published'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export interface Workspace {
  id: string;
  name: string;
  createdAt: number;
}

export interface User {
  id: string;
  name: string;
  email: string;
  image: string | null;
  createdAt: number;
}

export interface Membership {
  workspaceId: string;
  userId: string;
  role: Role;
}

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  userId: string;
  scopes: Array<(typeof SCOPES)[number]>;
  keyHash: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface Project {
  id: string;
  workspaceId: string;
  name: string;
  visibility: Visibility;
  createdAt: number;
}

export interface Post {
  id: string;
  workspaceId: string;
  projectId: string;
  authorId: string;
  title: string;
  status: PostStatus;
  createdAt: number;
  deletedAt: number | null;
}
