/**
 * A member's workspace-wide list reads only the partitions of the projects they can see: with
 * DynamoDB mocked by a small in-memory table, no request ever touches an item (attachment or
 * post) of a project the member cannot see, and the merged pages are exactly the newest-first
 * order of the visible projects' attachments. Owners, admins, members who see everything and
 * members who see many projects read the workspace index instead.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMedia, MAX_ITEMS_EXAMINED } from '../../../lib/attachments/read/list.ts';
import { maxMergedProjects } from '../../../lib/attachments/read/list-scope.ts';
import type { Viewer } from '../../../lib/auth/permissions.ts';
import { itemKeyString } from '../../../lib/db/batch-get.ts';
import { keys, listIndexKeys, listSortKey } from '../../../lib/db/keys.ts';
import { tableDefinition } from '../../../lib/db/table-definition.ts';
import type { Visibility } from '../../../lib/directory/model.ts';
import type { FileType } from '../../../lib/media/types.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
const table = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'media-test',
  // Several shards per project and workspace: every list below merges shards.
  indexShards: 4,
};
const MAX_PROJECTS = maxMergedProjects(table.indexShards);
const WS = 'ws_one';
const member: Viewer = { userId: 'usr_me', workspaceId: WS, role: 'member' };
const admin: Viewer = { userId: 'usr_admin', workspaceId: WS, role: 'admin' };

type Item = Record<string, unknown> & { PK: string; SK: string };

/** Items by key, plus Query over the list indexes and the workspace's project entries. */
class FakeTable {
  readonly items = new Map<string, Item>();
  private sequence = 0;

  put(item: Item) {
    this.items.set(itemKeyString(item), item);
  }

  project(id: string, visibility: Visibility, members: string[] = []) {
    this.put({ ...keys.project(id), id, workspaceId: WS, name: id, visibility, createdAt: 1 });
    this.put({ ...keys.workspaceProject(WS, id), projectId: id });
    for (const userId of members) this.put({ ...keys.projectMember(id, userId), userId });
  }

  post(id: string, projectId: string, status: 'published' | 'draft' = 'published') {
    this.put({
      ...keys.post(id),
      id,
      workspaceId: WS,
      projectId,
      authorId: 'usr_author',
      title: id,
      status,
      createdAt: 1,
    });
  }

  /** `count` live attachments of a post, one per millisecond, as `commitAttachment` stores them. */
  attachments(
    postId: string,
    projectId: string,
    count: number,
    fileType: FileType = 'image',
    shardCount = table.indexShards,
  ) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      this.sequence += 1;
      // Every third one shares its createdAt with the previous: ties are ordered by id.
      const createdAt = 1_000_000 + this.sequence - (this.sequence % 3 === 0 ? 1 : 0);
      const id = `att_${String(this.sequence).padStart(20, '0')}`;
      const attachment = { id, workspaceId: WS, projectId, postId, fileType, createdAt };
      this.put({
        ...keys.attachment(id),
        ...attachment,
        uploaderId: 'usr_author',
        fileName: 'a.png',
        originalFileName: 'a.png',
        mimeType: 'image/png',
        fileSize: 1,
        storageKey: 'uploads/2026/01/01/a.png',
        ...listIndexKeys(attachment, shardCount),
        listSK: listSortKey(createdAt, id),
      });
      ids.push(id);
    }
    return ids;
  }

  query(input: QueryCommand['input']) {
    const values = input.ExpressionAttributeValues ?? {};
    if (!input.IndexName) {
      const found = [...this.items.values()].filter(
        (item) => item.PK === values[':pk'] && item.SK.startsWith(String(values[':prefix'])),
      );
      return { Items: found.slice(0, input.Limit).map((item) => ({ projectId: item.projectId })) };
    }
    const index = tableDefinition.globalSecondaryIndexes.find(
      (i) => i.indexName === input.IndexName,
    );
    if (!index) throw new Error(`no index ${input.IndexName}`);
    const after = values[':after'] as string | undefined;
    const matching = [...this.items.values()]
      .filter((item) => item[index.partitionKey] === values[':pk'] && item[index.sortKey])
      .filter((item) => after === undefined || String(item[index.sortKey]) < after)
      .sort((a, b) => (String(a[index.sortKey]) < String(b[index.sortKey]) ? 1 : -1));
    const page = matching.slice(0, input.Limit);
    return {
      Items: page,
      ...(matching.length > page.length ? { LastEvaluatedKey: { PK: 'more' } } : {}),
    };
  }

  batchGet(input: BatchGetCommand['input']) {
    const request = Object.values(input.RequestItems ?? {})[0];
    const found = (request?.Keys ?? [])
      .map((key) => this.items.get(itemKeyString(key as Item)))
      .filter((item) => item !== undefined);
    return { Responses: { [table.tableName]: found } };
  }
}

let fake: FakeTable;

beforeEach(() => {
  fake = new FakeTable();
  ddbMock.on(QueryCommand).callsFake((input) => fake.query(input));
  ddbMock.on(BatchGetCommand).callsFake((input) => fake.batchGet(input));
});
afterEach(() => ddbMock.reset());

/** Every page of a walk, newest first, with the cursor of each. */
async function walk(viewer: Viewer, limit: number, fileType?: FileType) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 100; n++) {
    const page = await listMedia(table, viewer, {
      limit,
      ...(fileType ? { fileType } : {}),
      ...(cursor ? { cursor } : {}),
    });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((item) => item.id));
    if (!page.hasMore) return ids;
    cursor = page.nextCursor as string;
  }
  throw new Error('pagination did not end');
}

const newestFirst = (ids: string[]) =>
  [...ids].sort((a, b) => {
    const key = (id: string) => {
      const item = fake.items.get(itemKeyString(keys.attachment(id))) as Item;
      return String(item.listSK);
    };
    return key(a) < key(b) ? 1 : -1;
  });

const queriedIndexes = () =>
  ddbMock.commandCalls(QueryCommand).map((call) => ({
    index: call.args[0].input.IndexName ?? 'table',
    pk: call.args[0].input.ExpressionAttributeValues?.[':pk'],
    limit: call.args[0].input.Limit,
  }));

/** Every key any BatchGetItem asked for. */
const keysAsked = () =>
  ddbMock
    .commandCalls(BatchGetCommand)
    .flatMap((call) => Object.values(call.args[0].input.RequestItems ?? {})[0]?.Keys ?? []);

/** Everything any request answered, as one string. */
const everythingAnswered = async () =>
  JSON.stringify(await Promise.all(ddbMock.calls().map((call) => call.returnValue)));

describe('a member who cannot see some projects', () => {
  let expected: string[];

  beforeEach(() => {
    fake.project('prj_public', 'public');
    fake.project('prj_hidden', 'private');
    fake.project('prj_mine', 'private', [member.userId]);
    fake.post('pst_public', 'prj_public');
    fake.post('pst_draft', 'prj_public', 'draft');
    fake.post('pst_hidden', 'prj_hidden');
    fake.post('pst_mine', 'prj_mine');
    // Interleaved in time: the hidden project's attachments are the majority.
    expected = [];
    for (let round = 0; round < 6; round++) {
      fake.attachments('pst_hidden', 'prj_hidden', 20);
      expected.push(...fake.attachments('pst_public', 'prj_public', 3));
      fake.attachments('pst_draft', 'prj_public', 1);
      expected.push(...fake.attachments('pst_mine', 'prj_mine', 2));
    }
    expected = newestFirst(expected);
  });

  it.each([1, 2, 5, 7, 30, 100])('merges the visible projects, limit %i', async (limit) => {
    expect(await walk(member, limit)).toEqual(expected);

    const queried = queriedIndexes();
    expect(queried.map((q) => q.index)).not.toContain('ByWorkspace');
    const projectPartitions = queried.filter((q) => q.index === 'ByProject').map((q) => q.pk);
    expect(projectPartitions.length).toBeGreaterThan(0);
    expect(projectPartitions.filter((pk) => String(pk).startsWith('PROJECT#prj_hidden'))).toEqual(
      [],
    );
    // Never a key of the hidden project's posts, and no item of it comes back from any read.
    expect(keysAsked()).not.toContainEqual(keys.post('pst_hidden'));
    expect(await everythingAnswered()).not.toContain('pst_hidden');
    // Each partition is read from the cursor with at most a page and one more.
    for (const q of queried.filter((q) => q.index === 'ByProject')) {
      expect(q.limit).toBeLessThanOrEqual(limit + 1);
    }
  });

  it('filters by file type through the per-project type index', async () => {
    const audio = newestFirst([
      ...fake.attachments('pst_mine', 'prj_mine', 3, 'audio'),
      ...fake.attachments('pst_public', 'prj_public', 2, 'audio'),
    ]);
    fake.attachments('pst_hidden', 'prj_hidden', 5, 'audio');
    expect(await walk(member, 2, 'audio')).toEqual(audio);
    const queried = queriedIndexes().filter((q) => q.index !== 'table');
    expect(new Set(queried.map((q) => q.index))).toEqual(new Set(['ByProjectAndType']));
    expect(queried.filter((q) => String(q.pk).startsWith('PROJECT#prj_hidden'))).toEqual([]);
  });

  it("reads each project and the caller's membership of it once per page, in one round", async () => {
    await listMedia(table, member, { limit: 10 });
    expect(keysAsked().filter((k) => k.SK === 'PROJECT')).toHaveLength(3);
    const memberships = keysAsked().filter((k) => k.SK.startsWith('MEMBER#'));
    expect(memberships).toHaveLength(3);
    expect(memberships).toEqual(
      expect.arrayContaining([
        keys.projectMember('prj_hidden', member.userId),
        keys.projectMember('prj_mine', member.userId),
      ]),
    );
  });
});

describe('sharded partitions', () => {
  beforeEach(() => {
    fake.project('prj_a', 'public');
    fake.post('pst_a', 'prj_a');
  });

  it('lists records written before sharding (shard 0) or with fewer shards, in exact order', async () => {
    const all = newestFirst([
      ...fake.attachments('pst_a', 'prj_a', 7, 'image', 1),
      ...fake.attachments('pst_a', 'prj_a', 9, 'image', 2),
      ...fake.attachments('pst_a', 'prj_a', 11),
    ]);
    for (const limit of [1, 4, 50]) expect(await walk(admin, limit)).toEqual(all);
  });

  it('reads about a page in total across the shards, not a page per shard', async () => {
    fake.attachments('pst_a', 'prj_a', 200);
    const page = await listMedia(table, admin, { limit: 20 });
    expect(page.items).toHaveLength(20);
    const reads = queriedIndexes().filter((q) => q.index === 'ByWorkspace');
    expect(new Set(reads.map((q) => q.pk)).size).toBe(table.indexShards);
    const asked = reads.reduce((sum, q) => sum + (q.limit ?? 0), 0);
    expect(asked).toBeLessThanOrEqual(2 * 21);
  });
});

describe('the workspace index instead', () => {
  beforeEach(() => {
    fake.project('prj_a', 'public');
    fake.project('prj_b', 'private');
    fake.post('pst_a', 'prj_a');
    fake.post('pst_b', 'prj_b');
    fake.attachments('pst_a', 'prj_a', 4);
    fake.attachments('pst_b', 'prj_b', 4);
  });

  it('for owners and admins, without reading any project first', async () => {
    expect(await walk(admin, 3)).toHaveLength(8);
    expect(new Set(queriedIndexes().map((q) => q.index))).toEqual(new Set(['ByWorkspace']));
  });

  it('for a member who can see every project', async () => {
    fake.put({ ...keys.projectMember('prj_b', member.userId), userId: member.userId });
    expect(await walk(member, 3)).toHaveLength(8);
    expect(new Set(queriedIndexes().map((q) => q.index))).toEqual(
      new Set(['table', 'ByWorkspace']),
    );
  });

  it(`for a member who can see more than ${MAX_PROJECTS} projects`, async () => {
    for (let i = 0; i < MAX_PROJECTS; i++) fake.project(`prj_open${i}`, 'public');
    expect(await walk(member, 3)).toHaveLength(4);
    expect(new Set(queriedIndexes().map((q) => q.index))).toEqual(
      new Set(['table', 'ByWorkspace']),
    );
  });

  it('answers the empty page to a member who can see no project', async () => {
    fake.items.delete(itemKeyString(keys.workspaceProject(WS, 'prj_a')));
    const page = await listMedia(table, member, { limit: 10 });
    expect(page).toEqual({ items: [], hasMore: false, nextCursor: null });
    expect(queriedIndexes().map((q) => q.index)).toEqual(['table']);
  });
});

describe('merging many partitions', () => {
  it("keeps to the work budget when almost everything is others' drafts", async () => {
    for (let p = 0; p < MAX_PROJECTS; p++) {
      fake.project(`prj_${p}`, 'public');
      fake.post(`pst_${p}`, `prj_${p}`, 'draft');
      fake.attachments(`pst_${p}`, `prj_${p}`, 400);
    }
    fake.project('prj_hidden', 'private');

    const page = await listMedia(table, member, { limit: 50 });

    expect(page.items).toEqual([]);
    expect(page.hasMore).toBe(true);
    expect(page.nextCursor).toEqual(expect.any(String));
    const indexQueries = ddbMock
      .commandCalls(QueryCommand)
      .filter((call) => call.args[0].input.IndexName !== undefined);
    const answers = await Promise.all(indexQueries.map((call) => call.returnValue));
    const itemsRead = answers.reduce((sum, answer) => sum + (answer.Items?.length ?? 0), 0);
    expect(itemsRead).toBeLessThanOrEqual(MAX_ITEMS_EXAMINED);
    expect(itemsRead).toBeGreaterThan(500);
  });
});
