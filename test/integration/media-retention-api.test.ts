/**
 * `PUT /api/v1/media/{id}/legal-hold` and `POST /api/v1/media/{id}/restore` through the HTTP
 * API of the local stack, every status of media-api.md ("Beyond the seed: legal holds,
 * restore"): the role is checked first (403), the body is exactly `{"enabled": boolean}`
 * (400), 404 as for get plus "not deleted" and "past the grace period", and a restore gives
 * back the identical attachment in the same list position.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/db/keys.ts';
import { createApiKey } from '../../lib/directory/admin/api-key-records.ts';
import { mediaBytes } from '../support/media-fixtures.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, testTable } from '../support/stack.ts';

// An SVG: no thumbnail is made for it (and its size is read at upload), so nothing changes an
// attachment behind the test's back.
const svg = mediaBytes('image-120x80.svg');
const table = testTable();
let s: Scenario;
/** An admin key with `media:read` only. */
let adminReadOnlyKey: string;

beforeAll(async () => {
  s = await seedScenario(table);
  adminReadOnlyKey = (
    await createApiKey(table, {
      workspaceId: s.workspaceId,
      userId: s.admin.id,
      scopes: ['media:read'],
    })
  ).key;
});

async function upload(postId = s.posts.published, key = s.author.key) {
  const response = await api('/api/v1/media', {
    method: 'POST',
    key,
    body: {
      postId,
      fileName: 'f.svg',
      mimeType: 'image/svg+xml',
      fileData: svg.toString('base64'),
    },
  });
  expect(response.status).toBe(201);
  return response.json as { id: string; url: string };
}

const hold = (id: string, key: string, body: unknown = { enabled: true }) =>
  api(`/api/v1/media/${id}/legal-hold`, { method: 'PUT', key, body });
const restore = (id: string, key: string) =>
  api(`/api/v1/media/${id}/restore`, { method: 'POST', key });
const get = (id: string, key = s.owner.key) => api(`/api/v1/media/${id}`, { key });
const remove = (id: string, key = s.owner.key) =>
  api(`/api/v1/media/${id}`, { method: 'DELETE', key });

/** Time travel for the shared stack: the grace period of a deleted attachment ends now. */
async function endGracePeriod(id: string) {
  await table.db.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.attachment(id),
      UpdateExpression: 'SET purgeAfter = :past',
      ExpressionAttributeValues: { ':past': Date.now() - 1 },
    }),
  );
}

describe('PUT /api/v1/media/{id}/legal-hold', () => {
  it('401 without a valid key', async () => {
    const { id } = await upload();
    const response = await api(`/api/v1/media/${id}/legal-hold`, {
      method: 'PUT',
      body: { enabled: true },
    });
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('unauthorized');
  });

  it('403 for members, the post author included, before the body or the id is looked at', async () => {
    const { id } = await upload();
    for (const key of [s.member.key, s.author.key]) {
      expect((await hold(id, key)).status).toBe(403);
      // Not 400 and not 404: the role decides first.
      const badBody = await api(`/api/v1/media/${id}/legal-hold`, {
        method: 'PUT',
        key,
        rawBody: '{not json',
      });
      expect(badBody.status).toBe(403);
      expect((await hold('att_doesnotexist', key)).status).toBe(403);
    }
    const response = await hold(id, s.member.key);
    expect(response.json.error.code).toBe('forbidden');
    expect((await get(id)).json.legalHold).toBe(false);
  });

  it('403 for an admin key without media:write', async () => {
    const { id } = await upload();
    expect((await hold(id, adminReadOnlyKey)).status).toBe(403);
  });

  it.each([
    ['an empty object', {}],
    ['a string', { enabled: 'true' }],
    ['a number', { enabled: 1 }],
    ['null', { enabled: null }],
    ['an extra field', { enabled: true, reason: 'court order' }],
    ['the wrong field', { enable: true }],
    ['an array', [true]],
  ])('400 for %s', async (_name, body) => {
    const { id } = await upload();
    const response = await hold(id, s.owner.key, body);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('validation_error');
    expect(response.json.error.details.field).toMatch(/^(enabled|body)$/);
    expect((await get(id)).json.legalHold).toBe(false);
  });

  it('400 for a body that is not JSON, or none', async () => {
    const { id } = await upload();
    const notJson = await api(`/api/v1/media/${id}/legal-hold`, {
      method: 'PUT',
      key: s.owner.key,
      rawBody: 'enabled=true',
    });
    expect(notJson.status).toBe(400);
    const none = await api(`/api/v1/media/${id}/legal-hold`, { method: 'PUT', key: s.owner.key });
    expect(none.status).toBe(400);
  });

  it('404 for an unknown or malformed id, another workspace, or an invisible post', async () => {
    expect((await hold('att_doesnotexist', s.owner.key)).status).toBe(404);
    expect((await hold('not-an-id', s.owner.key)).status).toBe(404);
    const elsewhere = await upload(s.other.postId, s.other.owner.key);
    expect((await hold(elsewhere.id, s.owner.key)).status).toBe(404);
    // The author's draft is visible to nobody else, owners included.
    const onDraft = await upload(s.posts.draft);
    const response = await hold(onDraft.id, s.owner.key);
    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe('not_found');
  });

  it('200 with the attachment as in get; a held attachment cannot be deleted (409) until lifted', async () => {
    const { id } = await upload();
    const before = (await get(id)).json;
    const held = await hold(id, s.owner.key, { enabled: true });
    expect(held.status).toBe(200);
    expect(held.json).toEqual({ ...before, legalHold: true });
    expect((await get(id)).json.legalHold).toBe(true);

    const refused = await remove(id, s.author.key);
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('legal_hold');
    expect((await remove(id, s.owner.key)).status).toBe(409);
    expect((await get(id)).status).toBe(200);

    const again = await hold(id, s.admin.key, { enabled: true });
    expect(again.status).toBe(200); // idempotent, admins too
    const lifted = await hold(id, s.admin.key, { enabled: false });
    expect(lifted.status).toBe(200);
    expect(lifted.json).toEqual(before);
    expect((await remove(id, s.author.key)).status).toBe(200);
  });

  it('works on a deleted attachment within its grace period, which then survives', async () => {
    const { id, url } = await upload();
    const before = (await get(id)).json;
    expect((await remove(id)).status).toBe(200);
    const held = await hold(id, s.owner.key, { enabled: true });
    expect(held.status).toBe(200);
    expect(held.json).toEqual({ ...before, legalHold: true });
    expect((await get(id)).status).toBe(404); // still deleted
    expect((await api(url, { key: s.owner.key })).status).toBe(404);

    const restored = await restore(id, s.owner.key);
    expect(restored.status).toBe(200);
    expect(restored.json).toEqual({ ...before, legalHold: true });
  });

  it('404 when placing a hold after the grace period; a held one can still be lifted', async () => {
    const late = await upload();
    await remove(late.id);
    await endGracePeriod(late.id);
    const response = await hold(late.id, s.owner.key, { enabled: true });
    expect(response.status).toBe(404);
    expect(response.json.error.message).toMatch(/grace period ended/);

    const kept = await upload();
    await remove(kept.id);
    expect((await hold(kept.id, s.owner.key, { enabled: true })).status).toBe(200);
    await endGracePeriod(kept.id);
    expect((await hold(kept.id, s.owner.key, { enabled: true })).status).toBe(200);
    const lifted = await hold(kept.id, s.owner.key, { enabled: false });
    expect(lifted.status).toBe(200);
    expect(lifted.json.legalHold).toBe(false);
  });
});

describe('POST /api/v1/media/{id}/restore', () => {
  it('401 without a valid key', async () => {
    const { id } = await upload();
    await remove(id);
    expect((await api(`/api/v1/media/${id}/restore`, { method: 'POST' })).status).toBe(401);
  });

  it('403 for members (the author included) and for a key without media:write', async () => {
    const { id } = await upload();
    await remove(id);
    for (const key of [s.member.key, s.author.key, adminReadOnlyKey]) {
      const response = await restore(id, key);
      expect(response.status).toBe(403);
      expect(response.json.error.code).toBe('forbidden');
    }
    expect((await restore('att_doesnotexist', s.member.key)).status).toBe(403); // role first
    expect((await get(id)).status).toBe(404);
  });

  it('404 when the attachment is not deleted', async () => {
    const { id } = await upload();
    const response = await restore(id, s.owner.key);
    expect(response.status).toBe(404);
    expect(response.json.error.message).toMatch(/not deleted/);
  });

  it('404 for an unknown id or one in another workspace', async () => {
    expect((await restore('att_doesnotexist', s.owner.key)).status).toBe(404);
    const elsewhere = await upload(s.other.postId, s.other.owner.key);
    await remove(elsewhere.id, s.other.owner.key);
    expect((await restore(elsewhere.id, s.owner.key)).status).toBe(404);
  });

  it('404 once purgeAfter has passed, although nothing has been purged yet', async () => {
    const { id } = await upload();
    await remove(id);
    await endGracePeriod(id);
    const response = await restore(id, s.admin.key);
    expect(response.status).toBe(404);
    expect(response.json.error.message).toMatch(
      /grace period .* ended .* can no longer be restored/,
    );
  });

  it('200 with the identical attachment, back in its list position, its file served again', async () => {
    const post = s.posts.byMember; // a post of its own: the list holds only these three
    const [first, middle, last] = [
      await upload(post, s.member.key),
      await upload(post, s.member.key),
      await upload(post, s.member.key),
    ];
    const list = async () =>
      (await api(`/api/v1/media?postId=${post}`, { key: s.owner.key })).json.items as Array<{
        id: string;
      }>;
    const listBefore = await list();
    expect(listBefore.map((i) => i.id).sort()).toEqual([first.id, middle.id, last.id].sort());
    const detailBefore = (await get(middle.id)).json;
    const fileBefore = await api(middle.url, { key: s.owner.key });

    expect((await remove(middle.id, s.member.key)).status).toBe(200);
    expect((await list()).map((i) => i.id)).not.toContain(middle.id);
    expect((await api(middle.url, { key: s.owner.key })).status).toBe(404);

    const restored = await restore(middle.id, s.owner.key);
    expect(restored.status).toBe(200);
    expect(restored.json).toEqual(detailBefore);
    expect((await get(middle.id)).json).toEqual(detailBefore);
    expect(await list()).toEqual(listBefore);
    const fileAfter = await api(middle.url, { key: s.owner.key });
    expect(fileAfter.status).toBe(200);
    expect(Buffer.from(fileAfter.raw)).toEqual(Buffer.from(fileBefore.raw));

    // Restoring twice is "not deleted"; deleting again works as before.
    expect((await restore(middle.id, s.owner.key)).status).toBe(404);
    expect((await remove(middle.id, s.member.key)).status).toBe(200);
  });
});
