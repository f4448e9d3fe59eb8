/**
 * The workspace-wide list's work per request is bounded: when almost every attachment belongs
 * to a post the caller cannot see, the page comes back short with `hasMore: true` and a cursor
 * instead of reading the whole workspace.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CursorSeal, decodeCursor, TOP_POSITION } from '../../../lib/attachments/read/cursor.ts';
import { listMedia, MAX_ITEMS_EXAMINED } from '../../../lib/attachments/read/list.ts';
import { keys } from '../../../lib/db/keys.ts';

const ddbMock = mockClient(DynamoDBDocumentClient);
const unsharded = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'media-test',
};
const seal = new CursorSeal('test secret');
const viewer = { userId: 'usr_me', workspaceId: 'ws_one', role: 'member' as const };

let sequence = 10_000_000;
function attachmentItems(count: number) {
  return Array.from({ length: count }, () => {
    sequence -= 1;
    const id = `att_${String(sequence).padStart(20, '0')}`;
    return {
      ...keys.attachment(id),
      id,
      workspaceId: 'ws_one',
      postId: 'pst_hidden',
      uploaderId: 'usr_other',
      fileName: 'a.png',
      originalFileName: 'a.png',
      fileType: 'image',
      mimeType: 'image/png',
      fileSize: 1,
      storageKey: 'uploads/2026/01/01/x.png',
      createdAt: sequence,
    };
  });
}

afterEach(() => ddbMock.reset());

describe.each([1, 16])('workspace-wide list budget, %i shards', (indexShards) => {
  it('stops after a bounded number of index entries and says there is more', async () => {
    const table = { ...unsharded, indexShards };
    const first = sequence;
    // The workspace has one (public) project: the list reads the workspace index.
    ddbMock
      .on(QueryCommand)
      .callsFake((input) =>
        input.IndexName === undefined
          ? { Items: [{ projectId: 'prj_one' }] }
          : { Items: attachmentItems(input.Limit ?? 0), LastEvaluatedKey: { PK: 'more' } },
      );
    // The only post is someone else's draft: invisible to this member.
    ddbMock.on(BatchGetCommand).callsFake((input) => {
      const wanted = (Object.values(input.RequestItems)[0] as { Keys: Array<{ PK: string }> }).Keys;
      const items = wanted.some((key) => key.PK === keys.post('pst_hidden').PK)
        ? [
            {
              ...keys.post('pst_hidden'),
              id: 'pst_hidden',
              workspaceId: 'ws_one',
              projectId: 'prj_one',
              authorId: 'usr_other',
              title: 'Draft',
              status: 'draft',
              createdAt: 1,
            },
          ]
        : [
            {
              ...keys.project('prj_one'),
              id: 'prj_one',
              workspaceId: 'ws_one',
              name: 'P',
              visibility: 'public',
            },
          ];
      return { Responses: { [table.tableName]: items } };
    });

    const page = await listMedia(table, viewer, { limit: 50 }, seal);

    expect(page.items).toEqual([]);
    expect(page.hasMore).toBe(true);
    const indexQueries = ddbMock
      .commandCalls(QueryCommand)
      .filter((call) => call.args[0].input.IndexName !== undefined);
    expect(new Set(indexQueries.map((call) => call.args[0].input.IndexName))).toEqual(
      new Set(['ByWorkspace']),
    );
    const examined = indexQueries.reduce((sum, call) => sum + (call.args[0].input.Limit ?? 0), 0);
    expect(examined).toBeLessThanOrEqual(MAX_ITEMS_EXAMINED);
    expect(examined).toBeGreaterThan(50);
    // The cursor resumes after the last entry examined, so the next call makes progress, but
    // shows nothing of it: no item was returned, so its public part is the top of the list.
    const cursor = decodeCursor(page.nextCursor as string, seal);
    if (indexShards === 1) expect(cursor.start.createdAt).toBe(sequence);
    expect(cursor.start.createdAt).toBeLessThan(first - 100);
    expect(cursor.position).toEqual(TOP_POSITION);
    const shown = Buffer.from(page.nextCursor as string, 'base64').toString('utf8');
    expect(shown).not.toContain(String(sequence));
    // Posts are read in batches, not once per attachment.
    expect(ddbMock.commandCalls(BatchGetCommand).length).toBeLessThanOrEqual(
      2 * indexQueries.length + 1,
    );
  });
});
