/**
 * The directory: who can call the API and what their media belongs to. These are the shapes
 * the domain works with; `PK`/`SK` and index attributes never leave the entity modules.
 */
import { z } from 'zod';
import { SCOPES } from '../auth/scopes.ts';

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];
export const VISIBILITIES = ['public', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export const POST_STATUSES = ['draft', 'published'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

/** Input rules shared by the admin CLI and any future directory API. */
export const directoryInput = {
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  email: z.email('must be an email address').max(320),
  imageUrl: z.string().trim().min(1).max(2048),
  role: z.enum(ROLES),
  visibility: z.enum(VISIBILITIES),
  status: z.enum(POST_STATUSES),
  scopes: z.array(z.enum(SCOPES)).min(1, 'needs at least one scope'),
  epochMs: z.number().int().nonnegative(),
};

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
