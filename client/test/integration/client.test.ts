/**
 * Every method of the client against the real local stack: the JSON upload and the upload
 * session (20 MB, with progress), listing across pages, get, delete, restore, legal holds,
 * downloads through the storage redirect (without the key), and a typed error for every status
 * of the contract the stack can produce.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Scenario } from '../../../test/support/seed.ts';
import { apiUrl } from '../../../test/support/stack.ts';
import { MediaApiError } from '../../src/errors.ts';
import type { UploadProgress } from '../../src/upload.ts';
import { recordingFetch } from '../fake-fetch.ts';
import { rejectionOf } from '../rejection.ts';
import { bytesOf, clientFor, fixture, freshPost, png, pngOfSize, seed } from '../stack-client.ts';

let s: Scenario;
beforeAll(async () => {
  s = await seed();
});

const MB = 1024 * 1024;

const refusal = (promise: Promise<unknown>) => rejectionOf(promise, MediaApiError);

describe('upload', () => {
  it('sends a small file as one JSON upload, with an Idempotency-Key and progress', async () => {
    const recorder = recordingFetch();
    const client = clientFor(s.author.key, { fetch: recorder.fetch });
    const progress: UploadProgress[] = [];
    const attachment = await client.upload(png, {
      postId: s.posts.published,
      fileName: 'pic.png',
      onProgress: (p) => progress.push(p),
    });
    expect(attachment).toMatchObject({
      id: expect.stringMatching(/^att_/),
      postId: s.posts.published,
      fileName: 'pic.png',
      fileType: 'image',
      mimeType: 'image/png',
      fileSize: png.length,
      width: 64,
      height: 48,
      author: { id: s.author.id },
      post: { id: s.posts.published, title: 'Weekly Update' },
    });
    const posts = recorder.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.url.pathname)).toEqual(['/api/v1/media']);
    expect(posts[0]?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(progress.at(0)).toEqual({ bytesSent: 0, totalBytes: png.length });
    expect(progress.at(-1)).toEqual({ bytesSent: png.length, totalBytes: png.length });
  });

  it('sends 20 MB through an upload session, reporting progress, and it downloads identical', async () => {
    const recorder = recordingFetch();
    const client = clientFor(s.author.key, { fetch: recorder.fetch });
    const bytes = pngOfSize(20 * MB);
    const progress: UploadProgress[] = [];
    const attachment = await client.upload(new Blob([bytes], { type: 'image/png' }), {
      postId: s.posts.published,
      fileName: 'big.png',
      onProgress: (p) => progress.push(p),
    });
    expect(attachment).toMatchObject({ fileSize: 20 * MB, width: 64, height: 48 });

    const calls = recorder.requests.map((r) => `${r.method} ${r.url.pathname}`);
    const uploadId = calls.find((c) => c.includes('/complete'))?.split('/')[5];
    expect(calls).toEqual([
      'GET /api/v1/media/limits',
      'POST /api/v1/media/uploads',
      `PUT /${inject('bucketName')}/staging/${uploadId}`,
      `POST /api/v1/media/uploads/${uploadId}/complete`,
    ]);
    const put = recorder.requests[2];
    expect(put?.headers.get('authorization')).toBeNull();
    expect(put?.headers.get('x-amz-checksum-sha256')).toBeTruthy();

    // 64 KiB chunks: hundreds of events, never decreasing, ending at the total.
    expect(progress.length).toBeGreaterThan(100);
    expect(progress.every((p) => p.totalBytes === 20 * MB)).toBe(true);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]?.bytesSent).toBeGreaterThanOrEqual(progress[i - 1]?.bytesSent ?? 0);
    }
    expect(progress.at(-1)?.bytesSent).toBe(20 * MB);

    // Above 4 MB the API redirects to storage: followed without the key.
    recorder.requests.length = 0;
    const downloaded = await bytesOf(await client.download(attachment.id));
    expect(downloaded.length).toBe(bytes.length);
    expect(Buffer.from(downloaded).equals(Buffer.from(bytes))).toBe(true);
    const [, file, storage] = recorder.requests;
    expect(file?.url.pathname).toBe(attachment.url);
    expect(file?.headers.get('authorization')).toBe(`Bearer ${s.author.key}`);
    expect(storage?.url.origin).toBe(new URL(inject('s3Endpoint')).origin);
    expect(storage?.url.origin).not.toBe(new URL(apiUrl()).origin);
    expect(storage?.headers.has('authorization')).toBe(false);
    expect(storage?.headers.has('x-api-key')).toBe(false);
  }, 120_000);

  it('takes streams and infers the type from the file name', async () => {
    const client = clientFor(s.author.key);
    const pdf = fixture('document-1page.pdf');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(pdf.subarray(0, 100));
        controller.enqueue(pdf.subarray(100));
        controller.close();
      },
    });
    const attachment = await client.upload(stream, {
      postId: s.posts.published,
      fileName: 'report.pdf',
    });
    expect(attachment).toMatchObject({ fileType: 'document', mimeType: 'application/pdf' });
    expect(await bytesOf(await client.download(attachment.url))).toEqual(new Uint8Array(pdf));
  });

  it('can be told to use a session for a small file', async () => {
    const recorder = recordingFetch();
    const client = clientFor(s.author.key, { fetch: recorder.fetch });
    const attachment = await client.upload(png, {
      postId: s.posts.published,
      fileName: 'pic.png',
      via: 'session',
    });
    expect(attachment.fileSize).toBe(png.length);
    expect(recorder.requests.some((r) => r.url.pathname === '/api/v1/media/uploads')).toBe(true);
  });
});

describe('list, get, delete, restore, legal hold', () => {
  it('lists every page with the async iterator, newest first, and one page at a time', async () => {
    const postId = await freshPost(s);
    const client = clientFor(s.author.key);
    const uploaded = [];
    for (const name of ['a.png', 'b.png', 'c.png']) {
      uploaded.push(await client.upload(pngOfSize(png.length + 8), { postId, fileName: name }));
    }
    const ids = [];
    for await (const item of client.list({ postId, limit: 1 })) ids.push(item.id);
    const newestFirst = [...uploaded]
      .sort((a, b) => b.createdAt - a.createdAt || (b.id < a.id ? -1 : 1))
      .map((a) => a.id);
    expect(ids).toEqual(newestFirst);

    const first = await client.listPage({ postId, limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.hasMore).toBe(true);
    const second = await client.listPage({ postId, limit: 2, cursor: first.nextCursor });
    expect(second).toMatchObject({ hasMore: false, nextCursor: null });
    expect(second.items.map((i) => i.id)).toEqual(newestFirst.slice(2));
    const images = await client.listPage({ postId, fileType: 'audio' });
    expect(images.items).toEqual([]);
  });

  it('gets, holds, deletes and restores an attachment', async () => {
    const author = clientFor(s.author.key);
    const owner = clientFor(s.owner.key);
    const attachment = await author.upload(png, { postId: s.posts.published, fileName: 'x.png' });
    expect(await author.get(attachment.id)).toMatchObject({
      id: attachment.id,
      url: attachment.url,
      legalHold: false,
    });

    expect(await owner.setLegalHold(attachment.id, true)).toMatchObject({ legalHold: true });
    const held = await refusal(author.delete(attachment.id));
    expect(held).toMatchObject({ status: 409, code: 'legal_hold' });
    expect(await owner.setLegalHold(attachment.id, false)).toMatchObject({ legalHold: false });

    const deleted = await author.delete(attachment.id);
    expect(deleted).toEqual({ id: attachment.id, deleted: true, purgeAfter: expect.any(Number) });
    expect(await refusal(author.get(attachment.id))).toMatchObject({ status: 404 });

    const restored = await owner.restore(attachment.id);
    expect(restored).toMatchObject({ id: attachment.id, url: attachment.url, legalHold: false });
    expect(await author.get(attachment.id)).toMatchObject({ id: attachment.id });
  });
});

describe('typed errors for every status of the contract', () => {
  it('400 validation_error naming the field, and 400 invalid_cursor', async () => {
    const client = clientFor(s.author.key);
    const badLimit = await refusal(client.listPage({ limit: 0 }));
    expect(badLimit).toMatchObject({
      status: 400,
      code: 'validation_error',
      details: { field: 'limit' },
      requestId: expect.any(String),
    });
    expect(await refusal(client.listPage({ cursor: 'not-a-cursor' }))).toMatchObject({
      status: 400,
      code: 'invalid_cursor',
    });
  });

  it('401 unauthorized for an unknown key', async () => {
    const client = clientFor(`pf_live_${'x'.repeat(40)}`);
    expect(await refusal(client.listPage())).toMatchObject({
      status: 401,
      code: 'unauthorized',
      requestId: expect.any(String),
    });
  });

  it('403 forbidden: uploading to a post of someone else', async () => {
    const client = clientFor(s.member.key);
    const error = await refusal(
      client.upload(png, { postId: s.posts.published, fileName: 'x.png' }),
    );
    expect(error).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('404 not_found for an attachment that does not exist', async () => {
    const error = await refusal(clientFor(s.author.key).get('att_00000000000000000000'));
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: expect.any(String) });
  });

  it('413 payload_too_large with the sizes, from the session (the file is over the limit)', async () => {
    const limit = inject('maxUploadBytes');
    const error = await refusal(
      clientFor(s.author.key).upload(pngOfSize(limit + 1), {
        postId: s.posts.published,
        fileName: 'huge.png',
      }),
    );
    expect(error).toMatchObject({
      status: 413,
      code: 'payload_too_large',
      details: { limitBytes: limit, sizeBytes: limit + 1 },
    });
  }, 60_000);

  it('415 unsupported_media_type for a video', async () => {
    const error = await refusal(
      clientFor(s.author.key).upload(fixture('video-1s.mp4'), {
        postId: s.posts.published,
        fileName: 'clip.mp4',
        mimeType: 'video/mp4',
      }),
    );
    expect(error).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });
});
