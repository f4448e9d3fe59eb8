/**
 * `Idempotency-Key` on every POST, through the local HTTP adapter, the real handlers and
 * DynamoDB Local: replays (with `Idempotent-Replayed: true`), 422 on another request, one
 * attachment from concurrent duplicates, keys scoped per API key, failures release the key.
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/db/keys.ts';
import { mediaBytes } from '../support/media-fixtures.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, testTable } from '../support/stack.ts';

const png = mediaBytes('image-64x48.png');

let s: Scenario;
beforeAll(async () => {
  s = await seedScenario(testTable());
});

const uploadBody = (extra: Record<string, unknown> = {}) => ({
  postId: s.posts.published,
  fileName: 'pic.png',
  mimeType: 'image/png',
  fileData: png.toString('base64'),
  ...extra,
});

const post = (path: string, idempotencyKey: string | undefined, body?: unknown, key?: string) =>
  api(path, {
    method: 'POST',
    key: key ?? s.author.key,
    body,
    headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
  });

/** Ids of every attachment listed on the scenario's published post. */
async function attachmentIdsOnPost(postId = s.posts.published): Promise<string[]> {
  const page = await api(`/api/v1/media?postId=${postId}&limit=100`, { key: s.author.key });
  return page.json.items.map((item: { id: string }) => item.id);
}

describe('POST /api/v1/media with Idempotency-Key', () => {
  it('replays the first response for the same key and body, creating one attachment', async () => {
    const key = randomUUID();
    const before = await attachmentIdsOnPost();
    const first = await post('/api/v1/media', key, uploadBody());
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const again = await post('/api/v1/media', key, uploadBody());
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    // The replay is a new request: its own request id.
    expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));

    const after = await attachmentIdsOnPost();
    expect(after.filter((id) => !before.includes(id))).toEqual([first.json.id]);
  });

  it('answers 422 idempotency_key_reused for the same key with another body', async () => {
    const key = randomUUID();
    expect((await post('/api/v1/media', key, uploadBody())).status).toBe(201);
    const other = await post('/api/v1/media', key, uploadBody({ fileName: 'other.png' }));
    expect(other.status).toBe(422);
    expect(other.json).toEqual({
      error: { code: 'idempotency_key_reused', message: expect.stringMatching(/Idempotency-Key/) },
    });
    expect(other.headers.get('x-request-id')).toBeTruthy();
  });

  it('turns concurrent duplicates into one attachment and one answer', async () => {
    const key = randomUUID();
    const before = await attachmentIdsOnPost();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => post('/api/v1/media', key, uploadBody())),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const ids = new Set(responses.map((r) => r.json.id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    const created = (await attachmentIdsOnPost()).filter((id) => !before.includes(id));
    expect(created).toEqual([...ids]);
  });

  it('scopes keys per API key: another caller with the same key is not affected', async () => {
    const key = randomUUID();
    const mine = await post('/api/v1/media', key, uploadBody());
    const theirs = await post(
      '/api/v1/media',
      key,
      uploadBody({ postId: s.other.postId }),
      s.other.owner.key,
    );
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.json.id).not.toBe(mine.json.id);
  });

  it('does not store failures: the key is free again after a 4xx', async () => {
    const key = randomUUID();
    const refused = await post('/api/v1/media', key, uploadBody({ mimeType: 'image/jpeg' }));
    expect(refused.status).toBe(415);
    const fixed = await post('/api/v1/media', key, uploadBody());
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });

  it('keeps the record 24 h in the single table, named by a hash of API key id + key', async () => {
    const key = randomUUID();
    const started = Math.floor(Date.now() / 1000);
    expect((await post('/api/v1/media', key, uploadBody())).status).toBe(201);
    // Powertools names the record `<prefix>#<hash of the selected [apiKeyId, key]>`.
    const hash = createHash('sha256')
      .update(JSON.stringify([s.author.keyId, key]))
      .digest('base64');
    const stored = await testTable().db.send(
      new GetCommand({
        TableName: testTable().tableName,
        Key: keys.idempotency(`media-api#${hash}`),
      }),
    );
    expect(stored.Item).toMatchObject({ status: 'COMPLETED' });
    expect(stored.Item?.ttl).toBeGreaterThanOrEqual(started + 86_400);
    expect(stored.Item?.ttl).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 86_400);
    // Nothing is stored under the client's raw key.
    const raw = await testTable().db.send(
      new GetCommand({ TableName: testTable().tableName, Key: keys.idempotency(key) }),
    );
    expect(raw.Item).toBeUndefined();
  });

  it('refuses a malformed key with 400 naming the header', async () => {
    const response = await post('/api/v1/media', 'x'.repeat(256), uploadBody());
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({
      code: 'validation_error',
      details: { field: 'Idempotency-Key' },
    });
  });

  it('without a key, each request is its own', async () => {
    const first = await post('/api/v1/media', undefined, uploadBody());
    const second = await post('/api/v1/media', undefined, uploadBody());
    expect(first.json.id).not.toBe(second.json.id);
  });
});

describe('Idempotency-Key on the other POST routes', () => {
  const sessionBody = () => ({
    postId: s.posts.published,
    fileName: 'pic.png',
    mimeType: 'image/png',
    fileSize: png.length,
  });

  it('session create and complete replay; the same key on another route is 422', async () => {
    const createKey = randomUUID();
    const created = await post('/api/v1/media/uploads', createKey, sessionBody());
    expect(created.status).toBe(201);
    const replayed = await post('/api/v1/media/uploads', createKey, sessionBody());
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.json.uploadId).toBe(created.json.uploadId);

    const session = created.json;
    const put = await fetch(session.uploadUrl, {
      method: session.method,
      headers: session.headers,
      body: png,
    });
    expect(put.status).toBe(200);

    const completeKey = randomUUID();
    const path = `/api/v1/media/uploads/${session.uploadId}/complete`;
    const completed = await post(path, completeKey);
    expect(completed.status).toBe(201);
    const again = await post(path, completeKey);
    expect(again.status).toBe(201); // the first answer, not the "completed before" 200
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toEqual(completed.json);

    // One key is one request: reusing it for another route (or attachment) is refused.
    const elsewhere = await post('/api/v1/media/uploads', completeKey, sessionBody());
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.json.error.code).toBe('idempotency_key_reused');
  });

  it('restore replays its 200; the same key for another attachment is 422', async () => {
    const restoreOnce = async () => {
      const uploaded = await post('/api/v1/media', undefined, uploadBody());
      const deleted = await api(`/api/v1/media/${uploaded.json.id}`, {
        method: 'DELETE',
        key: s.author.key,
      });
      expect(deleted.status).toBe(200);
      return uploaded.json.id as string;
    };
    const first = await restoreOnce();
    const second = await restoreOnce();
    const key = randomUUID();
    const restored = await post(`/api/v1/media/${first}/restore`, key, undefined, s.admin.key);
    expect(restored.status).toBe(200);
    const replayed = await post(`/api/v1/media/${first}/restore`, key, undefined, s.admin.key);
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.json).toEqual(restored.json);

    const other = await post(`/api/v1/media/${second}/restore`, key, undefined, s.admin.key);
    expect(other.status).toBe(422);
    // Nothing happened to the second attachment: still deleted.
    expect((await api(`/api/v1/media/${second}`, { key: s.admin.key })).status).toBe(404);
  });
});
