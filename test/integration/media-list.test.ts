/**
 * `GET /api/v1/media`: order, cursors, exact `hasMore`, every page size, ties on `createdAt`,
 * invisible posts interleaved, and walking while others upload and delete.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import type { Attachment } from '../../lib/attachments/model.ts';
import { commitAttachment, softDeleteAttachment } from '../../lib/attachments/records.ts';
import type { FileType } from '../../lib/media/types.ts';
import { attachmentRecord } from '../support/attachments.ts';
import { walkList } from '../support/list-walk.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, testTable } from '../support/stack.ts';

const table = testTable();
let s: Scenario;

/** Records written straight to the table (the blobs don't matter to listing). */
async function addAttachment(
  postId: string,
  uploaderId: string,
  createdAt: number,
  fileType: FileType = 'image',
): Promise<Attachment> {
  const attachment = attachmentRecord({
    workspaceId: s.workspaceId,
    postId,
    uploaderId,
    createdAt,
    fileType,
  });
  expect(await commitAttachment(table, attachment)).toBeNull();
  return attachment;
}

const newestFirst = (a: Attachment, b: Attachment) =>
  b.createdAt - a.createdAt || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);

describe('one post', () => {
  let expected: Attachment[];
  let postId: string;

  beforeAll(async () => {
    s = await seedScenario(table);
    postId = s.posts.published;
    const base = Date.now() - 1_000_000;
    expected = [];
    // 45 attachments, in runs of three sharing one createdAt (ties broken by id).
    for (let i = 0; i < 45; i++) {
      expected.push(
        await addAttachment(
          postId,
          s.author.id,
          base + Math.floor(i / 3) * 1000,
          i % 5 === 0 ? 'audio' : 'image',
        ),
      );
    }
    expected.sort(newestFirst);
  });

  it('returns newest first with the contract fields and an exact hasMore', async () => {
    const response = await api(`/api/v1/media?postId=${postId}&limit=45`, { key: s.member.key });
    expect(response.json.hasMore).toBe(false);
    expect(response.json.nextCursor).toBeNull();
    expect(response.json.items.map((i: { id: string }) => i.id)).toEqual(expected.map((a) => a.id));
    expect(Object.keys(response.json.items[0]).sort()).toEqual(
      [
        'id',
        'postId',
        'fileName',
        'originalFileName',
        'fileType',
        'fileSize',
        'mimeType',
        'url',
        'thumbnailUrl',
        'placeholder',
        'metadataRemoved',
        'width',
        'height',
        'duration',
        'createdAt',
      ].sort(),
    );
    const exact = await api(`/api/v1/media?postId=${postId}&limit=44`, { key: s.member.key });
    expect(exact.json.hasMore).toBe(true);
  });

  it('walks every page size from 1 to 100 and sees each attachment exactly once', async () => {
    const ids = expected.map((a) => a.id);
    for (let limit = 1; limit <= 100; limit += limit < 10 ? 1 : 7) {
      expect(await walkList(`postId=${postId}`, s.member.key, limit), `limit ${limit}`).toEqual(
        ids,
      );
    }
    expect(await walkList(`postId=${postId}`, s.member.key, 100)).toEqual(ids);
  });

  it('filters by fileType through its own index', async () => {
    const audio = expected.filter((a) => a.fileType === 'audio').map((a) => a.id);
    expect(await walkList(`postId=${postId}&fileType=audio`, s.member.key, 2)).toEqual(audio);
  });

  it('the cursor is base64 JSON of the last item', async () => {
    const response = await api(`/api/v1/media?postId=${postId}&limit=3`, { key: s.member.key });
    const last = response.json.items[2];
    expect(JSON.parse(Buffer.from(response.json.nextCursor, 'base64').toString())).toEqual({
      createdAt: last.createdAt,
      id: last.id,
    });
  });

  it('answers the empty page for a missing, foreign or invisible post', async () => {
    const empty = { items: [], hasMore: false, nextCursor: null };
    for (const id of ['pst_missing', s.other.postId, s.posts.draft, s.posts.private]) {
      const response = await api(`/api/v1/media?postId=${id}`, { key: s.member.key });
      expect(response.status).toBe(200);
      expect(response.json).toEqual(empty);
    }
  });
});

describe('bad queries → 400', () => {
  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=', 'limit'],
    ['limit=5&limit=6', 'limit'],
    ['fileType=video', 'fileType'],
    ['fileType=', 'fileType'],
  ])('%s', async (query, field) => {
    const response = await api(`/api/v1/media?${query}`, { key: s.member.key });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: 'validation_error', details: { field } });
  });

  it.each(['bad', Buffer.from('{"createdAt":"x"}').toString('base64'), '%%%'])(
    'cursor %s',
    async (cursor) => {
      const response = await api(`/api/v1/media?cursor=${encodeURIComponent(cursor)}`, {
        key: s.member.key,
      });
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe('invalid_cursor');
    },
  );
});

describe('workspace-wide', () => {
  let visibleToMember: string[];
  let all: Attachment[];

  beforeAll(async () => {
    s = await seedScenario(table);
    const base = Date.now() - 2_000_000;
    all = [];
    // Interleave visible (published public) and invisible (draft, private) posts' media.
    const posts = [s.posts.published, s.posts.draft, s.posts.private, s.posts.byMember];
    for (let i = 0; i < 80; i++) {
      const postId = posts[i % posts.length] as string;
      const uploader = postId === s.posts.byMember ? s.member.id : s.author.id;
      all.push(
        await addAttachment(
          postId,
          uploader,
          base + Math.floor(i / 2) * 10,
          i % 3 === 0 ? 'audio' : 'image',
        ),
      );
    }
    all.sort(newestFirst);
    visibleToMember = all
      .filter((a) => a.postId === s.posts.published || a.postId === s.posts.byMember)
      .map((a) => a.id);
  });

  it('never exposes attachments of invisible posts, at any page size', async () => {
    for (const limit of [1, 2, 3, 7, 10, 50, 100]) {
      expect(await walkList('', s.member.key, limit), `limit ${limit}`).toEqual(visibleToMember);
    }
  });

  it('shows admins private projects but not others drafts; authors their drafts', async () => {
    const forAdmin = all.filter((a) => a.postId !== s.posts.draft).map((a) => a.id);
    expect(await walkList('', s.admin.key, 13)).toEqual(forAdmin);
    expect(await walkList('', s.author.key, 13)).toEqual(all.map((a) => a.id));
  });

  it('filters by fileType', async () => {
    const audio = all
      .filter(
        (a) =>
          a.fileType === 'audio' &&
          (a.postId === s.posts.published || a.postId === s.posts.byMember),
      )
      .map((a) => a.id);
    expect(await walkList('fileType=audio', s.member.key, 4)).toEqual(audio);
  });

  it('never shows another workspace', async () => {
    expect(await walkList('', s.other.owner.key, 50)).toEqual([]);
  });

  it('returns each surviving attachment exactly once while others upload and delete', async () => {
    const toDelete = new Set(visibleToMember.filter((_, i) => i % 4 === 1));
    const deletedEarly = new Set<string>();
    const seen = await walkList('', s.member.key, 5, async (n) => {
      // Newer uploads land before the cursor, deletions anywhere.
      await addAttachment(s.posts.published, s.author.id, Date.now());
      const victim = [...toDelete][n];
      if (victim) {
        toDelete.delete(victim);
        deletedEarly.add(victim);
        expect(await softDeleteAttachment(table, victim, Date.now(), Date.now() + 1000)).toBeNull();
      }
    });
    expect(new Set(seen).size).toBe(seen.length);
    const survivors = visibleToMember.filter((id) => !deletedEarly.has(id));
    for (const id of survivors) expect(seen).toContain(id);
    for (const id of seen) expect(visibleToMember).toContain(id);
  });
});
