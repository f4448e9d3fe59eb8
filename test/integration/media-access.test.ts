/**
 * Who may do what, on real data: 401/403/404/409 of media-api.md §1–2, and the live checks
 * (author changed, post deleted, project made private, member removed, key revoked, read-only).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/db/keys.ts';
import { createApiKey, revokeApiKey } from '../../lib/directory/admin/api-key-records.ts';
import { removeMember, setMemberRole } from '../../lib/directory/admin/memberships.ts';
import { createPost, deletePost, updatePost } from '../../lib/directory/admin/posts.ts';
import { removeProjectMember, setProjectVisibility } from '../../lib/directory/admin/projects.ts';
import { mediaBytes } from '../support/media-fixtures.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, testTable } from '../support/stack.ts';

const png = mediaBytes('image-64x48.png');
const svg = mediaBytes('image-svg-with-script.svg');

let s: Scenario;
const table = testTable();

beforeAll(async () => {
  s = await seedScenario(table);
});

async function uploadTo(postId: string, key: string, bytes = png, mimeType = 'image/png') {
  const response = await api('/api/v1/media', {
    method: 'POST',
    key,
    body: { postId, fileName: 'f.png', mimeType, fileData: bytes.toString('base64') },
  });
  return response;
}

async function uploaded(postId: string, key = s.author.key) {
  const response = await uploadTo(postId, key);
  expect(response.status).toBe(201);
  return response.json as { id: string; url: string };
}

const getMedia = (id: string, key: string) => api(`/api/v1/media/${id}`, { key });
const deleteMedia = (id: string, key: string) =>
  api(`/api/v1/media/${id}`, { method: 'DELETE', key });

describe('401: key missing, malformed, unknown, revoked or expired', () => {
  it.each([
    ['no key', {}],
    ['Bearer alone', { authorization: 'Bearer' }],
    ['wrong prefix', { authorization: 'Bearer sk_live_abcdefghijklmnopqrstuvwxyz0123456789' }],
    ['10 KB of junk', { authorization: `Bearer ${'x'.repeat(10_240)}` }],
    ['an unknown key', { 'x-api-key': 'pf_live_AAAAAAAAAAAAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }],
  ])('%s', async (_name, headers) => {
    const response = await api('/api/v1/media', { headers });
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('unauthorized');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('two keys', async () => {
    const response = await api('/api/v1/media', {
      headers: { authorization: `Bearer ${s.author.key}`, 'x-api-key': s.author.key },
    });
    expect(response.status).toBe(401);
  });

  it('a key whose secret part is wrong', async () => {
    const wrong = `${s.author.key.slice(0, -4)}${s.author.key.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect((await api('/api/v1/media', { key: wrong })).status).toBe(401);
  });

  it('a revoked key, from the next request on', async () => {
    const { record, key } = await createApiKey(table, {
      workspaceId: s.workspaceId,
      userId: s.member.id,
    });
    expect((await api('/api/v1/media', { key })).status).toBe(200);
    await revokeApiKey(table, record.id);
    expect((await api('/api/v1/media', { key })).status).toBe(401);
  });

  it('an expired key', async () => {
    const { key } = await createApiKey(table, {
      workspaceId: s.workspaceId,
      userId: s.member.id,
      expiresAt: Date.now() - 1,
    });
    expect((await api('/api/v1/media', { key })).status).toBe(401);
  });

  it('works with both header styles', async () => {
    expect((await api('/api/v1/media', { headers: { 'x-api-key': s.author.key } })).status).toBe(
      200,
    );
    expect(
      (await api('/api/v1/media', { headers: { authorization: `Bearer ${s.author.key}` } })).status,
    ).toBe(200);
  });
});

describe('upload permissions', () => {
  it('403 for a read-only key', async () => {
    const response = await uploadTo(s.posts.published, s.authorReadOnlyKey);
    expect(response.status).toBe(403);
  });

  it("403 for someone else's post, even for the workspace owner", async () => {
    expect((await uploadTo(s.posts.published, s.member.key)).status).toBe(403);
    expect((await uploadTo(s.posts.published, s.owner.key)).status).toBe(403);
  });

  it('404 for a post that does not exist or lives in another workspace', async () => {
    expect((await uploadTo('pst_doesnotexist', s.author.key)).status).toBe(404);
    expect((await uploadTo(s.other.postId, s.author.key)).status).toBe(404);
  });

  it('allows the author on their draft and on their private-project post', async () => {
    expect((await uploadTo(s.posts.draft, s.author.key)).status).toBe(201);
    expect((await uploadTo(s.posts.private, s.author.key)).status).toBe(201);
  });

  it('follows a change of author at once', async () => {
    const postId = (
      await createPost(table, {
        projectId: s.publicProjectId,
        authorId: s.author.id,
        title: 'Moving',
      })
    ).id;
    await updatePost(table, { postId, authorId: s.member.id });
    expect((await uploadTo(postId, s.author.key)).status).toBe(403);
    expect((await uploadTo(postId, s.member.key)).status).toBe(201);
  });

  it('404 once the post is deleted', async () => {
    const postId = (
      await createPost(table, {
        projectId: s.publicProjectId,
        authorId: s.author.id,
        title: 'Doomed',
      })
    ).id;
    await deletePost(table, postId);
    expect((await uploadTo(postId, s.author.key)).status).toBe(404);
  });

  it('403 when the author lost access to the private project', async () => {
    const { id: userId, key } = s.member;
    const postId = (
      await createPost(table, { projectId: s.privateProjectId, authorId: userId, title: 'Mine' })
    ).id;
    // The member is not in the private project: the post is invisible to them.
    expect((await uploadTo(postId, key)).status).toBe(403);
  });
});

describe('get, delete and the file', () => {
  it('get returns the attachment with author, post and legalHold', async () => {
    const { id } = await uploaded(s.posts.published);
    const response = await getMedia(id, s.member.key);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      id,
      postId: s.posts.published,
      legalHold: false,
      author: { id: s.author.id, name: 'Jane Smith' },
      post: { id: s.posts.published, title: 'Weekly Update' },
    });
  });

  it('404 for unknown ids, other workspaces and invisible posts', async () => {
    const draftMedia = await uploaded(s.posts.draft);
    const privateMedia = await uploaded(s.posts.private);
    expect((await getMedia('att_nope', s.author.key)).status).toBe(404);
    expect((await getMedia('../../etc', s.author.key)).status).toBe(404);
    expect((await getMedia(draftMedia.id, s.member.key)).status).toBe(404);
    expect((await getMedia(draftMedia.id, s.owner.key)).status).toBe(404);
    expect((await getMedia(privateMedia.id, s.member.key)).status).toBe(404);
    expect((await getMedia(privateMedia.id, s.admin.key)).status).toBe(200);
    expect((await getMedia(privateMedia.id, s.other.owner.key)).status).toBe(404);
  });

  it('follows the project becoming private and a member leaving it', async () => {
    const project = await import('../../lib/directory/admin/projects.ts').then((m) =>
      m.createProject(table, { workspaceId: s.workspaceId, name: 'Flip' }),
    );
    const postId = (
      await createPost(table, { projectId: project.id, authorId: s.author.id, title: 'Flip' })
    ).id;
    const { id } = await uploaded(postId);
    expect((await getMedia(id, s.member.key)).status).toBe(200);
    await setProjectVisibility(table, { projectId: project.id, visibility: 'private' });
    expect((await getMedia(id, s.member.key)).status).toBe(404);
    // The author is not a member of the new private project either.
    expect((await getMedia(id, s.author.key)).status).toBe(404);
    await import('../../lib/directory/admin/projects.ts').then((m) =>
      m.addProjectMember(table, { projectId: project.id, userId: s.author.id }),
    );
    expect((await getMedia(id, s.author.key)).status).toBe(200);
    await removeProjectMember(table, { projectId: project.id, userId: s.author.id });
    expect((await getMedia(id, s.author.key)).status).toBe(404);
  });

  it('403 when the key owner is no longer a member; role changes count at once', async () => {
    const { id: userId } = s.member;
    const fresh = await createApiKey(table, { workspaceId: s.workspaceId, userId });
    const privateMedia = await uploaded(s.posts.private);
    expect((await getMedia(privateMedia.id, fresh.key)).status).toBe(404);
    await setMemberRole(table, { workspaceId: s.workspaceId, userId, role: 'admin' });
    expect((await getMedia(privateMedia.id, fresh.key)).status).toBe(200);
    await removeMember(table, { workspaceId: s.workspaceId, userId });
    const response = await api('/api/v1/media', { key: fresh.key });
    expect(response.status).toBe(403);
    expect(response.json.error.code).toBe('forbidden');
    await setMemberRole(table, { workspaceId: s.workspaceId, userId, role: 'member' });
  });

  it('delete: author yes, other member 403, admin yes, read-only key 403', async () => {
    const a = await uploaded(s.posts.published);
    const b = await uploaded(s.posts.published);
    expect((await deleteMedia(a.id, s.member.key)).status).toBe(403);
    expect((await deleteMedia(a.id, s.authorReadOnlyKey)).status).toBe(403);
    const byAuthor = await deleteMedia(a.id, s.author.key);
    expect(byAuthor.status).toBe(200);
    expect(byAuthor.json).toEqual({ id: a.id, deleted: true, purgeAfter: expect.any(Number) });
    expect(byAuthor.json.purgeAfter).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    expect((await deleteMedia(b.id, s.admin.key)).status).toBe(200);
    // Gone at once from get, from the file route and from a second delete.
    expect((await getMedia(a.id, s.author.key)).status).toBe(404);
    expect((await api(a.url, { key: s.author.key })).status).toBe(404);
    expect((await deleteMedia(a.id, s.author.key)).status).toBe(404);
  });

  it("delete follows the post's current author", async () => {
    const postId = (
      await createPost(table, {
        projectId: s.publicProjectId,
        authorId: s.author.id,
        title: 'Handover',
      })
    ).id;
    const { id } = await uploaded(postId);
    await updatePost(table, { postId, authorId: s.member.id });
    expect((await deleteMedia(id, s.author.key)).status).toBe(403);
    expect((await deleteMedia(id, s.member.key)).status).toBe(200);
  });

  it('409 under legal hold, with nothing changed', async () => {
    const { id } = await uploaded(s.posts.published);
    await table.db.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.attachment(id),
        UpdateExpression: 'SET legalHold = :on',
        ExpressionAttributeValues: { ':on': true },
      }),
    );
    const response = await deleteMedia(id, s.owner.key);
    expect(response.status).toBe(409);
    expect(response.json.error.code).toBe('legal_hold');
    const after = await getMedia(id, s.author.key);
    expect(after.status).toBe(200);
    expect(after.json.legalHold).toBe(true);
  });

  it('serves the bytes with the same visibility, and SVG only as an inert download', async () => {
    const image = await uploaded(s.posts.published);
    const file = await api(image.url, { key: s.member.key });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(file.raw).equals(png)).toBe(true);

    const draftImage = await uploaded(s.posts.draft);
    expect((await api(draftImage.url, { key: s.member.key })).status).toBe(404);
    expect((await api(image.url, {})).status).toBe(401);

    const svgUpload = await uploadTo(s.posts.published, s.author.key, svg, 'image/svg+xml');
    expect(svgUpload.status).toBe(201);
    const svgFile = await api(svgUpload.json.url, { key: s.author.key });
    expect(svgFile.status).toBe(200);
    expect(svgFile.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(svgFile.headers.get('x-content-type-options')).toBe('nosniff');
    expect(svgFile.headers.get('content-security-policy')).toMatch(/sandbox/);
  });

  it('404 for file paths that do not match a record', async () => {
    const { url } = await uploaded(s.posts.published);
    expect((await api(url.replace(/\.png$/, '.svg'), { key: s.author.key })).status).toBe(404);
    expect(
      (await api('/api/media/uploads/2026/01/01/nothing.png', { key: s.author.key })).status,
    ).toBe(404);
    expect((await api('/api/media/uploads/../../etc/passwd', { key: s.author.key })).status).toBe(
      404,
    );
  });
});
