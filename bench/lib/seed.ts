/**
 * Benchmark datasets. The directory (workspace, users, keys, projects, posts) is created through
 * the real `lib/directory` functions; attachment records are built by the real
 * `commitAttachment` against a capture table (bench/lib/memory-table.ts) and then bulk-loaded
 * with BatchWriteItem, so a 100k dataset takes one write per item instead of one transaction.
 *
 * Shape of a dataset of N attachments (same for every N, so costs can be compared):
 * - one workspace with an `admin`, a plain `member` and an `author` (who authors every post);
 * - 200 published posts: 20 in a public project (visible to everyone), 180 in a private project
 *   the member is not in: **90% of the posts are invisible to the member**, all visible to the
 *   admin;
 * - 10% of the attachments on one "big" post (private project), the other 90% spread uniformly
 *   over the other 199 posts, so about 9% of the attachments are visible to the member;
 * - createdAt uniformly random over N seconds (ties happen), file types 60% image, 20% audio,
 *   15% document, 5% lottie.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Attachment } from '../../lib/attachments/model.ts';
import { storageKeyFor } from '../../lib/attachments/model.ts';
import { commitAttachment } from '../../lib/attachments/records.ts';
import type { TableContext } from '../../lib/db/client.ts';
import { createApiKey } from '../../lib/directory/admin/api-key-records.ts';
import { createPost } from '../../lib/directory/admin/posts.ts';
import { createProject } from '../../lib/directory/admin/projects.ts';
import { createUser } from '../../lib/directory/admin/users.ts';
import { createWorkspace } from '../../lib/directory/admin/workspaces.ts';
import type { Role } from '../../lib/directory/model.ts';
import { newId } from '../../lib/ids.ts';
import type { FileType } from '../../lib/media/types.ts';
import { type Item, MemoryTable } from './memory-table.ts';
import { rng } from './stats.ts';

export interface SeededUser {
  id: string;
  key: string;
  role: Role;
}

export interface Dataset {
  size: number;
  workspaceId: string;
  admin: SeededUser;
  member: SeededUser;
  author: SeededUser;
  /** 10% of the attachments; private project (invisible to the member). */
  bigPostId: string;
  publicProjectId: string;
  privateProjectId: string;
  /** Visible to everyone. */
  publicPostIds: string[];
  privatePostIds: string[];
  /** A few hundred attachment ids (newest and random ones) for gets. */
  sampleAttachmentIds: string[];
  counts: {
    posts: number;
    attachments: number;
    memberVisibleAttachments: number;
    byType: Record<FileType, number>;
  };
}

export const POSTS_PER_DATASET = 200;
export const MEMBER_VISIBLE_POSTS = 20;
const BIG_POST_SHARE = 0.1;
const TYPE_MIX: Array<[FileType, number]> = [
  ['image', 0.6],
  ['audio', 0.2],
  ['document', 0.15],
  ['lottie', 0.05],
];
const FORMATS: Record<FileType, { mimeType: string; extension: string }> = {
  image: { mimeType: 'image/png', extension: 'png' },
  audio: { mimeType: 'audio/mpeg', extension: 'mp3' },
  document: { mimeType: 'application/pdf', extension: 'pdf' },
  lottie: { mimeType: 'application/json', extension: 'json' },
};
const BASE_TIME = Date.UTC(2026, 0, 1);

let userCounter = 0;

async function seededUser(table: TableContext, workspaceId: string, role: Role, name: string) {
  userCounter += 1;
  const user = await createUser(table, {
    workspaceId,
    name,
    email: `${name.toLowerCase().replaceAll(' ', '.')}.${userCounter}@bench.example`,
    role,
    image: `/api/media/avatars/bench-${userCounter}.jpg`,
  });
  const { key } = await createApiKey(table, { workspaceId, userId: user.id });
  return { id: user.id, key, role };
}

function pickType(random: () => number): FileType {
  let x = random();
  for (const [type, share] of TYPE_MIX) {
    if (x < share) return type;
    x -= share;
  }
  return 'image';
}

/** A plausible attachment record (the domain object; its table item is built by lib/). */
export function benchAttachment(
  random: () => number,
  fields: {
    workspaceId: string;
    projectId: string;
    postId: string;
    uploaderId: string;
    createdAt: number;
    fileType: FileType;
    /** Default: a random id (uploads draw theirs with `newAttachmentId`). */
    id?: string;
  },
): Attachment {
  const id = fields.id ?? newId('attachment');
  const { mimeType, extension } = FORMATS[fields.fileType];
  const visual = fields.fileType === 'image' || fields.fileType === 'lottie';
  return {
    id,
    workspaceId: fields.workspaceId,
    projectId: fields.projectId,
    postId: fields.postId,
    uploaderId: fields.uploaderId,
    fileName: `bench-${id.slice(4, 12)}.${extension}`,
    originalFileName: `Bench upload ${id.slice(4, 12)}.${extension}`,
    fileType: fields.fileType,
    mimeType,
    fileSize: 1_000 + Math.floor(random() * 5_000_000),
    sha256: id
      .padEnd(64, '0')
      .slice(0, 64)
      .replace(/[^0-9a-f]/g, 'a'),
    storageKey: storageKeyFor(id, fields.createdAt, extension),
    thumbnailKey: null,
    width: visual ? 100 + Math.floor(random() * 3000) : null,
    height: visual ? 100 + Math.floor(random() * 3000) : null,
    duration: fields.fileType === 'audio' ? Math.round(random() * 600_000) / 1000 : null,
    createdAt: fields.createdAt,
    legalHold: false,
    deletedAt: null,
    purgeAfter: null,
  };
}

/** The table items `commitAttachment` writes for these attachments (built by lib/, not here). */
export async function attachmentItems(attachments: readonly Attachment[]): Promise<Item[]> {
  const capture = new MemoryTable();
  const ctx = capture.context();
  for (const attachment of attachments) {
    const refusal = await commitAttachment(ctx, attachment);
    if (refusal) throw new Error(`capture refused ${attachment.id}: ${refusal}`);
  }
  return capture.drain().map((item) => ({ ...item }));
}

/** BatchWriteItem in chunks of 25 with `concurrency` requests in flight; retries leftovers. */
export async function writeItems(
  table: TableContext,
  items: readonly Item[],
  concurrency = 2,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 25;
      if (start >= items.length) return;
      let pending = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 8) throw new Error('BatchWriteItem kept returning unprocessed items');
        if (attempt > 0) await new Promise((done) => setTimeout(done, 20 * 2 ** attempt));
        const result = await table.db.send(
          new BatchWriteCommand({ RequestItems: { [table.tableName]: pending } }),
        );
        pending = (result.UnprocessedItems?.[table.tableName] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Writes attachments straight to the table (records only; blobs do not matter to listing). */
export async function addAttachments(
  table: TableContext,
  attachments: readonly Attachment[],
  concurrency = 2,
): Promise<void> {
  await writeItems(table, await attachmentItems(attachments), concurrency);
}

export interface SeedOptions {
  size: number;
  seed: number;
  /** Default 200 (10% of them public); a small number for a workspace that only takes uploads. */
  posts?: number;
  writeConcurrency?: number;
  /** Called with the number of attachments written so far. */
  onProgress?: (written: number) => void;
}

export async function seedDataset(table: TableContext, options: SeedOptions): Promise<Dataset> {
  const random = rng(options.seed);
  const workspace = await createWorkspace(table, { name: `Bench ${options.size}` });
  const workspaceId = workspace.id;
  const admin = await seededUser(table, workspaceId, 'admin', 'Bench Admin');
  const member = await seededUser(table, workspaceId, 'member', 'Bench Member');
  const author = await seededUser(table, workspaceId, 'member', 'Bench Author');
  const publicProject = await createProject(table, { workspaceId, name: 'Public' });
  const privateProject = await createProject(table, {
    workspaceId,
    name: 'Private',
    visibility: 'private',
  });
  const post = async (projectId: string, i: number) =>
    (await createPost(table, { projectId, authorId: author.id, title: `Post ${i}` })).id;
  // A few transactions in flight at a time: DynamoDB Local handles them faster than one by one.
  const postCount = options.posts ?? POSTS_PER_DATASET;
  const publicCount = Math.max(
    2,
    Math.round((postCount * MEMBER_VISIBLE_POSTS) / POSTS_PER_DATASET),
  );
  const postIds: string[] = new Array(postCount);
  let nextPost = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = nextPost++; i < postCount; i = nextPost++) {
        postIds[i] = await post(i < publicCount ? publicProject.id : privateProject.id, i);
      }
    }),
  );
  const publicPostIds = postIds.slice(0, publicCount);
  const privatePostIds = postIds.slice(publicCount);
  const bigPostId = privatePostIds[0] as string;
  const otherPosts = [...publicPostIds, ...privatePostIds.slice(1)];
  const visibleToMember = new Set(publicPostIds);
  const projectOf = (postId: string) =>
    visibleToMember.has(postId) ? publicProject.id : privateProject.id;

  const byType: Record<FileType, number> = { image: 0, audio: 0, document: 0, lottie: 0 };
  let memberVisibleAttachments = 0;
  const sample: string[] = [];
  const bigCount = Math.round(options.size * BIG_POST_SHARE);
  const chunk = 5_000;
  for (let start = 0; start < options.size; start += chunk) {
    const batch: Attachment[] = [];
    for (let i = start; i < Math.min(options.size, start + chunk); i++) {
      const postId =
        i < bigCount ? bigPostId : (otherPosts[Math.floor(random() * otherPosts.length)] as string);
      const attachment = benchAttachment(random, {
        workspaceId,
        projectId: projectOf(postId),
        postId,
        uploaderId: author.id,
        createdAt: BASE_TIME + Math.floor(random() * options.size * 1000),
        fileType: pickType(random),
      });
      byType[attachment.fileType] += 1;
      if (visibleToMember.has(postId)) memberVisibleAttachments += 1;
      if (sample.length < 200 || random() < 200 / options.size) sample.push(attachment.id);
      batch.push(attachment);
    }
    await addAttachments(table, batch, options.writeConcurrency);
    options.onProgress?.(Math.min(options.size, start + chunk));
  }

  return {
    size: options.size,
    workspaceId,
    admin,
    member,
    author,
    bigPostId,
    publicProjectId: publicProject.id,
    privateProjectId: privateProject.id,
    publicPostIds,
    privatePostIds,
    sampleAttachmentIds: sample.slice(0, 400),
    counts: {
      posts: postCount,
      attachments: options.size,
      memberVisibleAttachments,
      byType,
    },
  };
}
