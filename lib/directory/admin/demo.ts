/**
 * The demo workspace: an owner, an admin and a member, each with a key; a public and a private
 * project; published and draft posts. Used by `npm start` on first start and `admin demo`.
 */
import type { TableContext } from '../../db/client.ts';
import type { PostStatus, Role, Visibility } from '../model.ts';
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

/** One demo post as `npm start`'s banner lists it. */
export interface DemoPost {
  id: string;
  title: string;
  projectVisibility: Visibility;
  status: PostStatus;
  authorRole: Role;
}

export interface DemoSeed {
  workspaceId: string;
  users: Record<Role, DemoUser>;
  projects: { public: string; private: string };
  posts: { published: string; draft: string; private: string };
  /** The same posts, described (absent from demo.json files written before it existed). */
  postList?: DemoPost[];
}

const PEOPLE: Array<{ role: Role; name: string; email: string }> = [
  { role: 'owner', name: 'Olivia Owner', email: 'owner@demo.example' },
  { role: 'admin', name: 'Adam Admin', email: 'admin@demo.example' },
  { role: 'member', name: 'Mia Member', email: 'member@demo.example' },
];

/** The member is in the private project too, so one member key sees every demo post. */
const POSTS: Array<{
  name: keyof DemoSeed['posts'];
  title: string;
  projectVisibility: Visibility;
  status: PostStatus;
  authorRole: Role;
}> = [
  {
    name: 'published',
    title: 'Weekly Update',
    projectVisibility: 'public',
    status: 'published',
    authorRole: 'member',
  },
  {
    name: 'draft',
    title: 'Draft notes',
    projectVisibility: 'public',
    status: 'draft',
    authorRole: 'member',
  },
  {
    name: 'private',
    title: 'Q3 plans',
    projectVisibility: 'private',
    status: 'published',
    authorRole: 'admin',
  },
];

export async function seedDemo(ctx: TableContext): Promise<DemoSeed> {
  const workspace = await createWorkspace(ctx, { name: 'Demo workspace' });
  const users = {} as Record<Role, DemoUser>;
  for (const person of PEOPLE) {
    const user = await createUser(ctx, { workspaceId: workspace.id, ...person });
    const { record, key } = await createApiKey(ctx, { workspaceId: workspace.id, userId: user.id });
    users[person.role] = { ...person, id: user.id, keyId: record.id, key };
  }
  const projects = {
    public: await createProject(ctx, {
      workspaceId: workspace.id,
      name: 'Launch',
      visibility: 'public',
    }),
    private: await createProject(ctx, {
      workspaceId: workspace.id,
      name: 'Secret roadmap',
      visibility: 'private',
    }),
  };
  await addProjectMember(ctx, { projectId: projects.private.id, userId: users.member.id });
  const posts = {} as DemoSeed['posts'];
  const postList: DemoPost[] = [];
  for (const { name, ...post } of POSTS) {
    const { id } = await createPost(ctx, {
      projectId: projects[post.projectVisibility].id,
      authorId: users[post.authorRole].id,
      title: post.title,
      status: post.status,
    });
    posts[name] = id;
    postList.push({ id, ...post });
  }
  return {
    workspaceId: workspace.id,
    users,
    projects: { public: projects.public.id, private: projects.private.id },
    posts,
    postList,
  };
}
