/**
 * A fresh, isolated workspace per test file: every role, a public and a private project, and
 * posts in every state the permission rules distinguish. Built through the real directory
 * modules against DynamoDB Local.
 */
import type { TableContext } from '../../lib/db/client.ts';
import { createApiKey } from '../../lib/directory/admin/api-key-records.ts';
import { createPost } from '../../lib/directory/admin/posts.ts';
import { addProjectMember, createProject } from '../../lib/directory/admin/projects.ts';
import { createUser } from '../../lib/directory/admin/users.ts';
import { createWorkspace } from '../../lib/directory/admin/workspaces.ts';
import type { Role } from '../../lib/directory/model.ts';

export interface SeededUser {
  id: string;
  key: string;
  keyId: string;
}

export interface Scenario {
  workspaceId: string;
  owner: SeededUser;
  admin: SeededUser;
  /** Author of most posts; member of the private project. */
  author: SeededUser;
  /** A plain member who authors nothing and is in no project. */
  member: SeededUser;
  /** `author`'s key with only `media:read`. */
  authorReadOnlyKey: string;
  publicProjectId: string;
  privateProjectId: string;
  posts: {
    /** Published, public project, by `author`. */
    published: string;
    /** Draft, public project, by `author`. */
    draft: string;
    /** Published, private project, by `author`. */
    private: string;
    /** Published, public project, by `member`. */
    byMember: string;
  };
  /** Another workspace with its own owner and post. */
  other: { workspaceId: string; owner: SeededUser; postId: string };
}

let counter = 0;

async function user(table: TableContext, workspaceId: string, role: Role, name: string) {
  counter += 1;
  const created = await createUser(table, {
    workspaceId,
    name,
    email: `${name.toLowerCase().replaceAll(' ', '.')}.${counter}@test.example`,
    role,
    image: `/api/media/avatars/${counter}.jpg`,
  });
  const { record, key } = await createApiKey(table, { workspaceId, userId: created.id });
  return { id: created.id, key, keyId: record.id };
}

export async function seedScenario(table: TableContext): Promise<Scenario> {
  const workspace = await createWorkspace(table, { name: 'Test workspace' });
  const ws = workspace.id;
  const [owner, admin, author, member] = await Promise.all([
    user(table, ws, 'owner', 'Olga Owner'),
    user(table, ws, 'admin', 'Andy Admin'),
    user(table, ws, 'member', 'Jane Smith'),
    user(table, ws, 'member', 'Max Member'),
  ]);
  const readOnly = await createApiKey(table, {
    workspaceId: ws,
    userId: author.id,
    scopes: ['media:read'],
  });
  const publicProject = await createProject(table, { workspaceId: ws, name: 'Public' });
  const privateProject = await createProject(table, {
    workspaceId: ws,
    name: 'Private',
    visibility: 'private',
  });
  await addProjectMember(table, { projectId: privateProject.id, userId: author.id });
  const post = (projectId: string, authorId: string, title: string, status = 'published') =>
    createPost(table, { projectId, authorId, title, status }).then((p) => p.id);
  const [published, draft, privatePost, byMember] = await Promise.all([
    post(publicProject.id, author.id, 'Weekly Update'),
    post(publicProject.id, author.id, 'Draft', 'draft'),
    post(privateProject.id, author.id, 'Private plans'),
    post(publicProject.id, member.id, "Max's post"),
  ]);

  const otherWorkspace = await createWorkspace(table, { name: 'Other workspace' });
  const otherOwner = await user(table, otherWorkspace.id, 'owner', 'Other Owner');
  const otherProject = await createProject(table, { workspaceId: otherWorkspace.id, name: 'X' });
  const otherPost = await post(otherProject.id, otherOwner.id, 'Elsewhere');

  return {
    workspaceId: ws,
    owner,
    admin,
    author,
    member,
    authorReadOnlyKey: readOnly.key,
    publicProjectId: publicProject.id,
    privateProjectId: privateProject.id,
    posts: { published, draft, private: privatePost, byMember },
    other: { workspaceId: otherWorkspace.id, owner: otherOwner, postId: otherPost },
  };
}
