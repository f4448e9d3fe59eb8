/**
 * The demo workspace: an owner, an admin and a member, each with a key; a public and a private
 * project; published and draft posts. Used by `npm start` on first start and `admin demo`.
 */
import type { TableContext } from '../../db/client.ts';
import type { Role } from '../model.ts';
import { createApiKey } from './api-key-records.ts';
import { createPost } from './posts.ts';
import { addProjectMember, createProject } from './projects.ts';
import { createUser } from './users.ts';
import { createWorkspace } from './workspaces.ts';

export interface DemoUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  keyId: string;
  key: string;
}

export interface DemoSeed {
  workspaceId: string;
  users: Record<Role, DemoUser>;
  projects: { public: string; private: string };
  posts: { published: string; draft: string; private: string };
}

const PEOPLE: Array<{ role: Role; name: string; email: string }> = [
  { role: 'owner', name: 'Olivia Owner', email: 'owner@demo.example' },
  { role: 'admin', name: 'Adam Admin', email: 'admin@demo.example' },
  { role: 'member', name: 'Mia Member', email: 'member@demo.example' },
];

export async function seedDemo(ctx: TableContext): Promise<DemoSeed> {
  const workspace = await createWorkspace(ctx, { name: 'Demo workspace' });
  const users = {} as Record<Role, DemoUser>;
  for (const person of PEOPLE) {
    const user = await createUser(ctx, { workspaceId: workspace.id, ...person });
    const { record, key } = await createApiKey(ctx, { workspaceId: workspace.id, userId: user.id });
    users[person.role] = { ...person, id: user.id, keyId: record.id, key };
  }
  const publicProject = await createProject(ctx, {
    workspaceId: workspace.id,
    name: 'Launch',
    visibility: 'public',
  });
  const privateProject = await createProject(ctx, {
    workspaceId: workspace.id,
    name: 'Secret roadmap',
    visibility: 'private',
  });
  await addProjectMember(ctx, { projectId: privateProject.id, userId: users.member.id });
  const published = await createPost(ctx, {
    projectId: publicProject.id,
    authorId: users.member.id,
    title: 'Weekly Update',
    status: 'published',
  });
  const draft = await createPost(ctx, {
    projectId: publicProject.id,
    authorId: users.member.id,
    title: 'Draft notes',
    status: 'draft',
  });
  const privatePost = await createPost(ctx, {
    projectId: privateProject.id,
    authorId: users.admin.id,
    title: 'Q3 plans',
    status: 'published',
  });
  return {
    workspaceId: workspace.id,
    users,
    projects: { public: publicProject.id, private: privateProject.id },
    posts: { published: published.id, draft: draft.id, private: privatePost.id },
  };
}
