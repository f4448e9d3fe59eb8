/**
 * `GET /api/v1/media` workspace-wide for members who cannot see every project: the list reads
 * the partitions of the projects they can see (`ByProject` / `ByProjectAndType`) and merges
 * them. Same order, cursors and exact `hasMore` as the workspace index, also while projects
 * change visibility or appear between two pages (a walk may switch between the two paths).
 */

import { beforeAll, describe, expect, it } from 'vitest';
import type { Attachment } from '../../lib/attachments/model.ts';
import { listMedia } from '../../lib/attachments/read/list.ts';
import { maxMergedProjects } from '../../lib/attachments/read/list-scope.ts';
import {
  commitAttachment,
  getAttachment,
  restoreAttachmentRecord,
  softDeleteAttachment,
} from '../../lib/attachments/records.ts';
import { createTableContext, indexShardsOf, type TableContext } from '../../lib/db/client.ts';
import { createApiKey } from '../../lib/directory/admin/api-key-records.ts';
import { createPost } from '../../lib/directory/admin/posts.ts';
import {
  addProjectMember,
  createProject,
  setProjectVisibility,
} from '../../lib/directory/admin/projects.ts';
import { createUser } from '../../lib/directory/admin/users.ts';
import { createWorkspace } from '../../lib/directory/admin/workspaces.ts';
import type { Role, Visibility } from '../../lib/directory/model.ts';
import { listWorkspaceProjectIds } from '../../lib/directory/projects.ts';
import { newId } from '../../lib/ids.ts';
import type { FileType } from '../../lib/media/types.ts';
import { attachmentRecord } from '../support/attachments.ts';
import { walkList } from '../support/list-walk.ts';
import { testConfig, testTable } from '../support/stack.ts';

const table = testTable();

interface Person {
  id: string;
  key: string;
  role: Role;
}

interface Space {
  workspaceId: string;
  member: Person;
  author: Person;
  admin: Person;
}

let counter = 0;

async function person(workspaceId: string, role: Role): Promise<Person> {
  counter += 1;
  const user = await createUser(table, {
    workspaceId,
    name: `Person ${counter}`,
    email: `person.${counter}.${Date.now()}@projects.test`,
    role,
  });
  const { key } = await createApiKey(table, { workspaceId, userId: user.id });
  return { id: user.id, key, role };
}

async function space(): Promise<Space> {
  const workspace = await createWorkspace(table, { name: 'Projects' });
  const [member, author, admin] = await Promise.all([
    person(workspace.id, 'member'),
    person(workspace.id, 'member'),
    person(workspace.id, 'admin'),
  ]);
  return { workspaceId: workspace.id, member, author, admin };
}

interface ProjectWithPost {
  projectId: string;
  postId: string;
}

/** A project with one published post by `author`, who is a member of it. */
async function projectWithPost(
  s: Space,
  visibility: Visibility,
  members: Person[] = [],
): Promise<ProjectWithPost> {
  const project = await createProject(table, { workspaceId: s.workspaceId, name: 'P', visibility });
  for (const m of [s.author, ...members]) {
    await addProjectMember(table, { projectId: project.id, userId: m.id });
  }
  const post = await createPost(table, {
    projectId: project.id,
    authorId: s.author.id,
    title: 'T',
  });
  return { projectId: project.id, postId: post.id };
}

async function addAttachment(
  s: Space,
  target: ProjectWithPost,
  createdAt: number,
  fileType: FileType = 'image',
): Promise<Attachment> {
  const attachment = attachmentRecord({
    workspaceId: s.workspaceId,
    projectId: target.projectId,
    postId: target.postId,
    uploaderId: s.author.id,
    createdAt,
    fileType,
  });
  expect(await commitAttachment(table, attachment)).toBeNull();
  return attachment;
}

/** `count` attachments spread round-robin over `targets`, two per createdAt (ties by id). */
async function spread(s: Space, targets: ProjectWithPost[], count: number, base: number) {
  const made: Attachment[] = [];
  for (let i = 0; i < count; i++) {
    const target = targets[i % targets.length] as ProjectWithPost;
    made.push(
      await addAttachment(s, target, base + Math.floor(i / 2) * 10, i % 3 ? 'image' : 'audio'),
    );
  }
  return made;
}

const newestFirst = (a: Attachment, b: Attachment) =>
  b.createdAt - a.createdAt || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);

const idsOf = (attachments: Attachment[], ...targets: ProjectWithPost[]) =>
  attachments
    .filter((a) => targets.some((t) => t.projectId === a.projectId))
    .sort(newestFirst)
    .map((a) => a.id);

/** A table context that records the index of every Query it sends (null: the table). */
function recordingTable(): {
  ctx: TableContext;
  queried: Array<{ index: string | null; pk: unknown }>;
} {
  const ctx = createTableContext(testConfig());
  const queried: Array<{ index: string | null; pk: unknown }> = [];
  ctx.db.middlewareStack.add(
    (next, context) => async (args) => {
      if ((context as { commandName?: string }).commandName === 'QueryCommand') {
        const input = args.input as {
          IndexName?: string;
          ExpressionAttributeValues?: Record<string, unknown>;
        };
        // Plain or marshalled, depending on where the document client's own step runs.
        const pk = input.ExpressionAttributeValues?.[':pk'];
        queried.push({
          index: input.IndexName ?? null,
          pk: typeof pk === 'string' ? pk : (pk as { S?: string } | undefined)?.S,
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordQueries' },
  );
  return { ctx, queried };
}

const viewerOf = (s: Space, p: Person) => ({
  userId: p.id,
  workspaceId: s.workspaceId,
  role: p.role,
});

describe('a member who is in some private projects and not in others', () => {
  let s: Space;
  let open: ProjectWithPost;
  let mine: ProjectWithPost;
  let hidden: ProjectWithPost;
  let hidden2: ProjectWithPost;
  let all: Attachment[];

  beforeAll(async () => {
    s = await space();
    open = await projectWithPost(s, 'public');
    mine = await projectWithPost(s, 'private', [s.member]);
    hidden = await projectWithPost(s, 'private');
    hidden2 = await projectWithPost(s, 'private');
    // Mostly invisible: the hidden projects get three of every five.
    all = await spread(s, [hidden, open, hidden2, mine, hidden], 90, Date.now() - 3_000_000);
  });

  it('lists exactly the visible projects, newest first, at any page size', async () => {
    const visible = idsOf(all, open, mine);
    for (const limit of [1, 2, 3, 7, 10, 36, 100]) {
      expect(await walkList('', s.member.key, limit), `limit ${limit}`).toEqual(visible);
    }
  });

  it('filters by fileType through the per-project type partitions', async () => {
    const audio = idsOf(
      all.filter((a) => a.fileType === 'audio'),
      open,
      mine,
    );
    expect(await walkList('fileType=audio', s.member.key, 4)).toEqual(audio);
  });

  it('never queries the workspace index or a hidden project', async () => {
    const { ctx, queried } = recordingTable();
    const page = await listMedia(ctx, viewerOf(s, s.member), { limit: 20 });
    expect(page.items).toHaveLength(20);
    expect(queried.map((q) => q.index)).not.toContain('ByWorkspace');
    const partitions = queried.filter((q) => q.index === 'ByProject').map((q) => q.pk);
    // Every shard of exactly the two visible projects.
    expect(new Set(partitions.map((pk) => String(pk).replace(/#S\d+$/, '')))).toEqual(
      new Set([`PROJECT#${open.projectId}`, `PROJECT#${mine.projectId}`]),
    );
  });

  it('admins still see everything, through the workspace index', async () => {
    const { ctx, queried } = recordingTable();
    const page = await listMedia(ctx, viewerOf(s, s.admin), { limit: 100 });
    expect(page.items.map((i) => i.id)).toEqual(idsOf(all, open, mine, hidden, hidden2));
    expect(new Set(queried.map((q) => q.index))).toEqual(new Set(['ByWorkspace']));
  });
});

describe('visibility changing between pages', () => {
  let s: Space;
  let open: ProjectWithPost;
  let hidden: ProjectWithPost;
  let all: Attachment[];

  beforeAll(async () => {
    s = await space();
    open = await projectWithPost(s, 'public');
    hidden = await projectWithPost(s, 'private');
    all = await spread(s, [open, hidden, hidden], 60, Date.now() - 2_000_000);
  });

  /** What a walk returns when the visible projects change from `before` to `after` at `lastId`. */
  function expectedAcrossChange(
    before: ProjectWithPost[],
    after: ProjectWithPost[],
    lastId: string,
  ) {
    const ordered = [...all].sort(newestFirst);
    const cut = ordered.findIndex((a) => a.id === lastId);
    const visibleIn = (targets: ProjectWithPost[]) => (a: Attachment) =>
      targets.some((t) => t.projectId === a.projectId);
    return [
      ...ordered.slice(0, cut + 1).filter(visibleIn(before)),
      ...ordered.slice(cut + 1).filter(visibleIn(after)),
    ].map((a) => a.id);
  }

  it('a project made public mid-walk shows its older items from the next page on', async () => {
    let lastId = '';
    try {
      const seen = await walkList('', s.member.key, 6, async (n, id) => {
        if (n !== 1) return;
        lastId = id;
        await setProjectVisibility(table, { projectId: hidden.projectId, visibility: 'public' });
      });
      expect(seen).toEqual(expectedAcrossChange([open], [open, hidden], lastId));
    } finally {
      await setProjectVisibility(table, { projectId: hidden.projectId, visibility: 'private' });
    }
  });

  it('a project made private mid-walk disappears from the next page on', async () => {
    let lastId = '';
    try {
      await setProjectVisibility(table, { projectId: hidden.projectId, visibility: 'public' });
      const seen = await walkList('', s.member.key, 6, async (n, id) => {
        if (n !== 2) return;
        lastId = id;
        await setProjectVisibility(table, { projectId: open.projectId, visibility: 'private' });
      });
      expect(seen).toEqual(expectedAcrossChange([open, hidden], [hidden], lastId));
    } finally {
      await setProjectVisibility(table, { projectId: open.projectId, visibility: 'public' });
      await setProjectVisibility(table, { projectId: hidden.projectId, visibility: 'private' });
    }
  });
});

describe('a project created mid-walk', () => {
  it('switches paths without losing or repeating an item', async () => {
    const s = await space();
    const open = await projectWithPost(s, 'public');
    const base = Date.now() - 1_000_000;
    const initial = await spread(s, [open], 30, base);
    const added: Attachment[] = [];
    let lastId = '';

    // The member sees every project (workspace index) until a private one they are not in
    // appears; attachments older than the cursor land in it and in a new public project.
    const seen = await walkList('', s.member.key, 4, async (n, id) => {
      if (n !== 1) return;
      lastId = id;
      const secret = await projectWithPost(s, 'private');
      const another = await projectWithPost(s, 'public');
      for (let i = 0; i < 6; i++) {
        await addAttachment(s, secret, base + i * 7 + 1);
        added.push(await addAttachment(s, another, base + i * 7 + 2));
      }
    });

    const ordered = [...initial].sort(newestFirst);
    const cut = ordered.findIndex((a) => a.id === lastId);
    const older = [...ordered.slice(cut + 1), ...added].sort(newestFirst);
    expect(seen).toEqual([...ordered.slice(0, cut + 1), ...older].map((a) => a.id));
  });
});

const MAX_PROJECTS = maxMergedProjects(indexShardsOf(createTableContext(testConfig())));

describe(`more than ${MAX_PROJECTS} visible projects`, () => {
  it('falls back to the workspace index with the same answer', async () => {
    const s = await space();
    const hidden = await projectWithPost(s, 'private');
    const opens: ProjectWithPost[] = [];
    for (let i = 0; i <= MAX_PROJECTS; i++) opens.push(await projectWithPost(s, 'public'));
    const all = await spread(s, [hidden, ...opens.slice(0, 8)], 40, Date.now() - 500_000);

    expect(await walkList('', s.member.key, 7)).toEqual(idsOf(all, ...opens));
    const { ctx, queried } = recordingTable();
    await listMedia(ctx, viewerOf(s, s.member), { limit: 5 });
    expect(queried.map((q) => q.index)).toContain('ByWorkspace');
    expect(queried.map((q) => q.index)).not.toContain('ByProject');
  });
});

describe("an attachment's project", () => {
  let s: Space;
  let open: ProjectWithPost;
  let other: ProjectWithPost;

  beforeAll(async () => {
    s = await space();
    open = await projectWithPost(s, 'public');
    other = await projectWithPost(s, 'public');
    await projectWithPost(s, 'private'); // so the member takes the per-project path
  });

  it('is read from the post when the caller leaves it out', async () => {
    const attachment = await addAttachment(s, open, Date.now() - 10_000);
    const { projectId: _, ...withoutProject } = attachment;
    const id = newId('attachment');
    expect(await commitAttachment(table, { ...withoutProject, id })).toBeNull();
    expect((await getAttachment(table, id))?.projectId).toBe(open.projectId);
  });

  it("must be the post's: a commit naming another project is refused", async () => {
    const attachment = await addAttachment(s, open, Date.now() - 20_000);
    const misfiled = { ...attachment, id: newId('attachment'), projectId: other.projectId };
    expect(await commitAttachment(table, misfiled)).toBe('post_changed');
    expect(await getAttachment(table, misfiled.id)).toBeNull();
  });

  it('keeps it in its project list through delete and restore, at the same position', async () => {
    const listed = () => walkList('', s.member.key, 100);
    const attachment = await addAttachment(s, other, Date.now() - 15_000);
    const before = await listed();
    expect(before).toContain(attachment.id);

    const deletedAt = Date.now();
    expect(await softDeleteAttachment(table, attachment.id, deletedAt, deletedAt + 60_000)).toBe(
      null,
    );
    expect(await listed()).not.toContain(attachment.id);

    const deleted = await getAttachment(table, attachment.id);
    expect(await restoreAttachmentRecord(table, deleted as Attachment, Date.now())).not.toBeNull();
    expect(await listed()).toEqual(before);
  });
});

describe("a workspace's project list", () => {
  it('has every project createProject made, and says when there are more than asked', async () => {
    const s = await space();
    const made = [
      await projectWithPost(s, 'public'),
      await projectWithPost(s, 'private'),
      await projectWithPost(s, 'private'),
    ].map((p) => p.projectId);
    expect((await listWorkspaceProjectIds(table, s.workspaceId, 3))?.sort()).toEqual(made.sort());
    expect(await listWorkspaceProjectIds(table, s.workspaceId, 2)).toBeNull();
  });
});
