/**
 * Upload sessions end to end: the local HTTP server, the real handlers, DynamoDB Local and the
 * local S3 server's presigned URLs. Every refusal up front, every refusal at completion (and
 * that nothing is kept), expiry, idempotency, the failure orders, and a 50 MB file.
 */
import { createHash } from 'node:crypto';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { findVisibleAttachment } from '../../lib/attachments/read/read.ts';
import { getUploadSession } from '../../lib/attachments/upload/upload-session-records.ts';
import {
  completeUploadSession,
  sweepStagedUploads,
  type UploadSessionDeps,
} from '../../lib/attachments/upload/upload-sessions.ts';
import type { Viewer } from '../../lib/auth/permissions.ts';
import { keys } from '../../lib/db/keys.ts';
import { createPost, deletePost, updatePost } from '../../lib/directory/admin/posts.ts';
import { mediaStoreFrom } from '../../lib/storage/configured-store.ts';
import { StagingArea, stagingAreaFrom } from '../../lib/storage/staging.ts';
import { eventsAbout, waitForEvents } from '../support/events.ts';
import { mediaBytes } from '../support/media-fixtures.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, testConfig, testS3, testTable } from '../support/stack.ts';

const png = mediaBytes('image-64x48.png');
const jpeg = mediaBytes('image-64x48.jpg');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let s: Scenario;
beforeAll(async () => {
  s = await seedScenario(testTable());
});

interface SessionBody {
  uploadId: string;
  uploadUrl: string;
  method: string;
  headers: Record<string, string>;
  expiresAt: number;
}

function sessionRequest(extra: Record<string, unknown> = {}) {
  return {
    postId: s.posts.published,
    fileName: 'pic.png',
    mimeType: 'image/png',
    fileSize: png.length,
    ...extra,
  };
}

const createSession = (body: unknown, key = s.author.key) =>
  api('/api/v1/media/uploads', { method: 'POST', key, body });

const complete = (uploadId: string, key = s.author.key) =>
  api(`/api/v1/media/uploads/${uploadId}/complete`, { method: 'POST', key });

/** What a client does with the session: send the bytes with the given method and headers. */
const sendBytes = (session: SessionBody, bytes: Uint8Array) =>
  fetch(session.uploadUrl, { method: session.method, headers: session.headers, body: bytes });

async function openSession(extra: Record<string, unknown> = {}, key = s.author.key) {
  const response = await createSession(sessionRequest(extra), key);
  expect(response.status, response.text).toBe(201);
  return response.json as SessionBody;
}

async function stagedExists(uploadId: string): Promise<boolean> {
  try {
    await testS3().send(
      new HeadObjectCommand({ Bucket: inject('bucketName'), Key: `staging/${uploadId}` }),
    );
    return true;
  } catch {
    return false;
  }
}

const viewerOf = (user: { id: string }): Viewer => ({
  userId: user.id,
  workspaceId: s.workspaceId,
  role: 'member',
});

describe('creating a session', () => {
  it('answers with a presigned PUT for the staging key, valid for minutes', async () => {
    const before = Date.now();
    const response = await createSession(sessionRequest({ sha256: sha256(png) }));
    expect(response.status).toBe(201);
    const body = response.json;
    expect(Object.keys(body).sort()).toEqual([
      'expiresAt',
      'headers',
      'method',
      'uploadId',
      'uploadUrl',
    ]);
    expect(body.uploadId).toMatch(/^upl_[0-9a-z]{20}$/);
    expect(body.method).toBe('PUT');
    const url = new URL(body.uploadUrl);
    expect(url.origin).toBe(new URL(inject('s3Endpoint')).origin);
    expect(url.pathname).toBe(`/${inject('bucketName')}/staging/${body.uploadId}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-length;content-type;host;x-amz-checksum-sha256',
    );
    expect(body.headers).toEqual({
      'content-type': 'image/png',
      'x-amz-checksum-sha256': Buffer.from(sha256(png), 'hex').toString('base64'),
    });
    expect(body.expiresAt).toBeGreaterThanOrEqual(before + 900_000);
    expect(body.expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
  });

  it('names the canonical type in the headers the client must send', async () => {
    const body = await openSession({ mimeType: 'image/x-png' });
    expect(body.headers).toEqual({ 'content-type': 'image/png' });
  });

  it.each([
    ['postId', { postId: undefined }],
    ['fileName', { fileName: '' }],
    ['mimeType', { mimeType: undefined }],
    ['fileSize', { fileSize: undefined }],
    ['fileSize', { fileSize: 0 }],
    ['fileSize', { fileSize: 1.5 }],
    ['fileSize', { fileSize: '469' }],
    ['sha256', { sha256: 'abc' }],
    ['width', { width: -1 }],
  ])('400 naming %s: %j', async (field, change) => {
    const response = await createSession(sessionRequest(change));
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: 'validation_error', details: { field } });
  });

  it('415 for types the API does not take, with the web-interface hint for video', async () => {
    const video = await createSession(sessionRequest({ mimeType: 'video/mp4' }));
    expect(video.status).toBe(415);
    expect(video.json.error.message).toMatch(/web interface/);
    expect((await createSession(sessionRequest({ mimeType: 'text/html' }))).status).toBe(415);
  });

  it('413 above 50 MB, with the sizes', async () => {
    const response = await createSession(sessionRequest({ fileSize: 52_428_801 }));
    expect(response.status).toBe(413);
    expect(response.json.error).toMatchObject({
      code: 'payload_too_large',
      details: { limitBytes: 52_428_800, sizeBytes: 52_428_801 },
    });
  });

  it('404 for a post missing from the workspace, 403 for a post the caller may not use', async () => {
    expect((await createSession(sessionRequest({ postId: 'pst_missing' }))).status).toBe(404);
    expect((await createSession(sessionRequest({ postId: s.other.postId }))).status).toBe(404);
    expect((await createSession(sessionRequest({ postId: s.posts.byMember }))).status).toBe(403);
    expect((await createSession(sessionRequest(), s.member.key)).status).toBe(403);
    expect((await createSession(sessionRequest(), s.authorReadOnlyKey)).status).toBe(403);
    expect((await createSession(sessionRequest(), '')).status).toBe(401);
  });

  it('checks the type before the size, and both before the post (like the JSON upload)', async () => {
    const both = await createSession(
      sessionRequest({ mimeType: 'video/mp4', fileSize: 60_000_000, postId: 'pst_missing' }),
    );
    expect(both.status).toBe(415);
    const size = await createSession(
      sessionRequest({ fileSize: 60_000_000, postId: 'pst_missing' }),
    );
    expect(size.status).toBe(413);
  });
});

describe('completing a session', () => {
  it('stores the file and answers exactly like the JSON upload; the staged copy goes', async () => {
    const session = await openSession({ sha256: sha256(png), width: 999 });
    expect((await sendBytes(session, png)).status).toBe(200);
    expect(await stagedExists(session.uploadId)).toBe(true);

    const completed = await complete(session.uploadId);
    expect(completed.status).toBe(201);
    const direct = await api('/api/v1/media', {
      method: 'POST',
      key: s.author.key,
      body: {
        postId: s.posts.published,
        fileName: 'pic.png',
        mimeType: 'image/png',
        fileData: png.toString('base64'),
      },
    });
    const sameShape = (body: Record<string, unknown>) => {
      const { id, url, createdAt, ...rest } = body;
      return rest;
    };
    expect(sameShape(completed.json)).toEqual(sameShape(direct.json));
    expect(completed.json).toMatchObject({ width: 64, height: 48, fileSize: png.length });
    expect(await stagedExists(session.uploadId)).toBe(false);

    const file = await api(completed.json.url, { key: s.author.key });
    expect(file.status).toBe(200);
    expect(Buffer.from(file.raw).equals(png)).toBe(true);

    // Either path's commit is one `media.uploaded` (from the table's stream, soon after).
    for (const id of [completed.json.id, direct.json.id]) {
      await waitForEvents(id, 'media.uploaded');
      const uploaded = await eventsAbout(id, 'media.uploaded');
      expect(uploaded).toHaveLength(1);
      expect(uploaded[0]).toMatchObject({
        version: 1,
        workspaceId: s.workspaceId,
        data: { attachment: { id, postId: s.posts.published, fileSize: png.length } },
      });
    }
  });

  it('is idempotent: completing again returns the same attachment (200)', async () => {
    const session = await openSession();
    await sendBytes(session, png);
    const first = await complete(session.uploadId);
    const again = await complete(session.uploadId);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, url: first.json.url });
    await waitForEvents(first.json.id, 'media.uploaded');
    expect(await eventsAbout(first.json.id, 'media.uploaded')).toHaveLength(1);
  });

  it('commits one attachment when two completes race', async () => {
    const postId = (
      await createPost(testTable(), {
        projectId: s.publicProjectId,
        authorId: s.author.id,
        title: 'Race',
      })
    ).id;
    const session = await openSession({ postId });
    await sendBytes(session, png);
    const answers = await Promise.all([complete(session.uploadId), complete(session.uploadId)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    expect(answers[0]?.json.id).toBe(answers[1]?.json.id);
    const listed = await api(`/api/v1/media?postId=${postId}`, { key: s.author.key });
    expect(listed.json.items.map((item: { id: string }) => item.id)).toEqual([answers[0]?.json.id]);
    // The losing complete committed nothing, so it has no event.
    await waitForEvents(answers[0]?.json.id, 'media.uploaded');
    expect(await eventsAbout(answers[0]?.json.id, 'media.uploaded')).toHaveLength(1);
  });

  it('400 while nothing is uploaded; the session stays open', async () => {
    const session = await openSession();
    const early = await complete(session.uploadId);
    expect(early.status).toBe(400);
    expect(early.json.error).toMatchObject({ details: { field: 'uploadId' } });
    expect(early.json.error.message).toMatch(/uploadUrl/);
    await sendBytes(session, png);
    expect((await complete(session.uploadId)).status).toBe(201);
  });

  it('a wrong size → 400, nothing kept, and completing again repeats the refusal', async () => {
    const session = await openSession({ fileSize: png.length + 10 });
    // The local S3 server does not enforce the signed length (S3 does); completion checks it.
    await sendBytes(session, png);
    const refused = await complete(session.uploadId);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({
      code: 'validation_error',
      details: { field: 'fileSize' },
    });
    expect(refused.json.error.message).toContain(`${png.length} bytes`);
    expect(await stagedExists(session.uploadId)).toBe(false);

    await sendBytes(session, png); // a retry with the same URL does not revive the session
    const again = await complete(session.uploadId);
    expect(again.status).toBe(400);
    expect(again.json.error.message).toBe(refused.json.error.message);
  });

  it('bytes of another type than declared → 415 and nothing kept', async () => {
    const session = await openSession({ fileSize: jpeg.length });
    await sendBytes(session, jpeg);
    const refused = await complete(session.uploadId);
    expect(refused.status).toBe(415);
    expect(refused.json.error.message).toMatch(/image\/jpeg.*image\/png/);
    expect(await stagedExists(session.uploadId)).toBe(false);
    expect((await complete(session.uploadId)).status).toBe(415);
  });

  it('bytes that do not match the declared SHA-256 → 400 and nothing kept', async () => {
    const other = Buffer.from(png);
    other.writeUInt8(other.readUInt8(other.length - 1) ^ 0xff, other.length - 1);
    const session = await openSession({ sha256: sha256(png) });
    await sendBytes(session, other);
    const refused = await complete(session.uploadId);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ details: { field: 'sha256' } });
    expect(await stagedExists(session.uploadId)).toBe(false);
  });

  it('403 when the post changed author since the session began; nothing kept', async () => {
    const postId = (
      await createPost(testTable(), {
        projectId: s.publicProjectId,
        authorId: s.author.id,
        title: 'Handed over',
      })
    ).id;
    const session = await openSession({ postId });
    await sendBytes(session, png);
    await updatePost(testTable(), { postId, authorId: s.member.id });
    const refused = await complete(session.uploadId);
    expect(refused.status).toBe(403);
    expect(await stagedExists(session.uploadId)).toBe(false);
    const listed = await api(`/api/v1/media?postId=${postId}`, { key: s.member.key });
    expect(listed.json.items).toEqual([]);
  });

  it('404 when the post was deleted since the session began', async () => {
    const postId = (
      await createPost(testTable(), {
        projectId: s.publicProjectId,
        authorId: s.author.id,
        title: 'Gone',
      })
    ).id;
    const session = await openSession({ postId });
    await sendBytes(session, png);
    await deletePost(testTable(), postId);
    expect((await complete(session.uploadId)).status).toBe(404);
    expect(await stagedExists(session.uploadId)).toBe(false);
  });

  it('404 for an expired session, with a message that says so; the staged copy goes', async () => {
    const session = await openSession();
    await sendBytes(session, png);
    await testTable().db.send(
      new UpdateCommand({
        TableName: testTable().tableName,
        Key: keys.uploadSession(session.uploadId),
        UpdateExpression: 'SET completeBy = :past',
        ExpressionAttributeValues: { ':past': Date.now() - 1 },
      }),
    );
    const expired = await complete(session.uploadId);
    expect(expired.status).toBe(404);
    expect(expired.json.error.message).toMatch(/expired at .*start a new one/);
    expect(await stagedExists(session.uploadId)).toBe(false);
  });

  it("404 for unknown ids and for someone else's session", async () => {
    const session = await openSession();
    await sendBytes(session, png);
    expect((await complete('upl_doesnotexist0000000')).status).toBe(404);
    expect((await complete('not-an-id')).status).toBe(404);
    expect((await complete(session.uploadId, s.member.key)).status).toBe(404);
    expect((await complete(session.uploadId, s.other.owner.key)).status).toBe(404);
    expect((await complete(session.uploadId, s.authorReadOnlyKey)).status).toBe(403);
    expect((await complete(session.uploadId)).status).toBe(201);
  });
});

describe('failure orders (the domain function with failing dependencies)', () => {
  const healthy = (): UploadSessionDeps => ({
    table: testTable(),
    store: mediaStoreFrom(testConfig()),
    staging: stagingAreaFrom(testConfig()),
    maxUploadBytes: 52_428_800,
    uploadUrlSeconds: 900,
  });
  const outage = () => Promise.reject(new Error('storage is down'));

  it('storage unreadable: the error surfaces, the session stays open with its bytes', async () => {
    const session = await openSession();
    await sendBytes(session, png);
    const staging = stagingAreaFrom(testConfig());
    staging.read = outage;
    await expect(
      completeUploadSession({ ...healthy(), staging }, viewerOf(s.author), session.uploadId),
    ).rejects.toThrow('storage is down');
    expect((await getUploadSession(testTable(), session.uploadId))?.status).toBe('pending');
    expect(await stagedExists(session.uploadId)).toBe(true);
    expect((await complete(session.uploadId)).status).toBe(201);
  });

  it('the final write fails: no record, session open, staged bytes kept for a retry', async () => {
    const session = await openSession();
    await sendBytes(session, png);
    const store = mediaStoreFrom(testConfig());
    store.put = outage;
    await expect(
      completeUploadSession({ ...healthy(), store }, viewerOf(s.author), session.uploadId),
    ).rejects.toThrow('storage is down');
    const current = await getUploadSession(testTable(), session.uploadId);
    expect(current).toMatchObject({ status: 'pending', attachmentId: null });
    expect(await stagedExists(session.uploadId)).toBe(true);
    const retried = await complete(session.uploadId);
    expect(retried.status).toBe(201);
    const { attachment } = await findVisibleAttachment(
      testTable(),
      viewerOf(s.author),
      retried.json.id,
    );
    expect(attachment.sha256).toBe(sha256(png));
  });
});

describe('the staging sweep (what the lifecycle rule does on AWS)', () => {
  it('removes staged objects only once no session can complete them', async () => {
    // A bucket of its own, so the sweep cannot touch other tests' sessions.
    const bucket = `sweep-${Date.now().toString(36)}`;
    await testS3().send(new CreateBucketCommand({ Bucket: bucket }));
    const staging = new StagingArea(testS3(), bucket);
    const key = 'staging/upl_sweepme';
    await testS3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: png }));
    const exists = () =>
      testS3()
        .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
        .then(() => true)
        .catch(() => false);

    const now = Date.now();
    expect(await sweepStagedUploads({ staging, uploadUrlSeconds: 900, now: () => now })).toBe(0);
    expect(await exists()).toBe(true);
    // 900 s of URL validity + 15 min to complete: after that the object can only be garbage.
    const later = () => now + 1_800_001;
    expect(await sweepStagedUploads({ staging, uploadUrlSeconds: 900, now: later })).toBe(1);
    expect(await exists()).toBe(false);
  });
});

describe('50 MB through a session', () => {
  const LIMIT = 52_428_800;

  it('uploads 50 MB to the presigned URL and serves it back', async () => {
    const bytes = Buffer.concat([png, Buffer.alloc(LIMIT - png.length)]);
    const session = await openSession({ fileName: 'big.png', fileSize: LIMIT });
    const put = await sendBytes(session, bytes);
    expect(put.status).toBe(200);
    const completed = await complete(session.uploadId);
    expect(completed.status).toBe(201);
    expect(completed.json).toMatchObject({ fileSize: LIMIT, width: 64, height: 48 });

    const file = await api(completed.json.url, { key: s.author.key, redirect: 'manual' });
    expect(file.status).toBe(302);
    const downloaded = Buffer.from(
      await (await fetch(file.headers.get('location') ?? 'missing')).arrayBuffer(),
    );
    expect(downloaded.length).toBe(LIMIT);
    expect(downloaded.equals(bytes)).toBe(true);
  });
});
