/**
 * Interrupted uploads against the real local stack: a PUT aborted mid-body and resumed on the
 * same session, a connection cut mid-PUT retried inside `upload`, a lost answer to complete,
 * an expired upload URL, and retries of 429/503 answers (from a fake fetch in front of the
 * real one).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../../test/support/seed.ts';
import { UploadInterruptedError } from '../../src/errors.ts';
import type { UploadProgress } from '../../src/upload.ts';
import type { ResumableUpload } from '../../src/upload-state.ts';
import {
  cutOffAfter,
  envelope,
  jsonResponse,
  networkError,
  type RecordedRequest,
  recordingFetch,
} from '../fake-fetch.ts';
import { rejectionOf } from '../rejection.ts';
import { bytesOf, clientFor, freshPost, png, pngOfSize, seed } from '../stack-client.ts';

let s: Scenario;
beforeAll(async () => {
  s = await seed();
});

const MB = 1024 * 1024;
const isPut = (r: RecordedRequest) => r.method === 'PUT';
const isCreate = (r: RecordedRequest) => r.url.pathname === '/api/v1/media/uploads';
const isComplete = (r: RecordedRequest) => r.url.pathname.endsWith('/complete');

const interruption = (promise: Promise<unknown>) => rejectionOf(promise, UploadInterruptedError);

async function postAttachmentIds(postId: string): Promise<string[]> {
  const ids = [];
  for await (const item of clientFor(s.author.key).list({ postId })) ids.push(item.id);
  return ids;
}

describe('resuming an upload session', () => {
  it('a PUT aborted halfway resumes on the same session, and the file is whole', async () => {
    const postId = await freshPost(s);
    const bytes = pngOfSize(8 * MB);
    const controller = new AbortController();
    const first = recordingFetch();
    const error = await interruption(
      clientFor(s.author.key, { fetch: first.fetch }).upload(bytes, {
        postId,
        fileName: 'big.png',
        signal: controller.signal,
        onProgress: ({ bytesSent }) => {
          if (bytesSent >= 4 * MB) controller.abort();
        },
      }),
    );
    const state: ResumableUpload = JSON.parse(JSON.stringify(error.resume));
    expect(state).toMatchObject({ via: 'session', fileSize: 8 * MB, postId });
    expect(state.session).toMatchObject({ uploadId: expect.stringMatching(/^upl_/), sent: false });
    expect(first.requests.filter(isComplete)).toEqual([]);

    const second = recordingFetch();
    const progress: UploadProgress[] = [];
    const attachment = await clientFor(s.author.key, { fetch: second.fetch }).resumeUpload(
      state,
      bytes,
      { onProgress: (p) => progress.push(p) },
    );
    expect(second.requests.filter(isCreate)).toEqual([]);
    expect(second.requests.filter(isPut).map((r) => r.url.pathname)).toEqual([
      first.requests.find(isPut)?.url.pathname,
    ]);
    expect(second.requests.find(isComplete)?.url.pathname).toContain(state.session?.uploadId);
    expect(progress.at(-1)).toEqual({ bytesSent: 8 * MB, totalBytes: 8 * MB });
    const downloaded = await bytesOf(await clientFor(s.author.key).download(attachment.id));
    expect(Buffer.from(downloaded).equals(Buffer.from(bytes))).toBe(true);
    expect(await postAttachmentIds(postId)).toEqual([attachment.id]);
  }, 60_000);

  it('a connection cut mid-PUT is retried inside upload: one session, progress restarts', async () => {
    const postId = await freshPost(s);
    const bytes = pngOfSize(6 * MB);
    let cut = false;
    const recorder = recordingFetch((request) => {
      if (!isPut(request) || cut) return undefined;
      cut = true;
      return cutOffAfter(request, 3 * MB);
    });
    const progress: number[] = [];
    const attachment = await clientFor(s.author.key, { fetch: recorder.fetch }).upload(bytes, {
      postId,
      fileName: 'big.png',
      onProgress: ({ bytesSent }) => progress.push(bytesSent),
    });
    expect(attachment.fileSize).toBe(6 * MB);
    expect(recorder.requests.filter(isCreate)).toHaveLength(1);
    expect(recorder.requests.filter(isPut)).toHaveLength(2);
    const restart = progress.findIndex((sent, i) => i > 0 && sent < (progress[i - 1] ?? 0));
    expect(progress[restart - 1]).toBeGreaterThanOrEqual(3 * MB);
    expect(progress[restart]).toBe(0);
    expect(progress.at(-1)).toBe(6 * MB);
    expect(await postAttachmentIds(postId)).toEqual([attachment.id]);
  }, 60_000);

  it('a lost answer to complete: resuming completes again and gets the same attachment', async () => {
    const postId = await freshPost(s);
    const bytes = pngOfSize(5 * MB);
    const recorder = recordingFetch(async (request, pass) => {
      if (!isComplete(request)) return undefined;
      await (await pass()).arrayBuffer(); // the API completed the session…
      throw networkError(); // …and its answer never arrived
    });
    const client = clientFor(s.author.key, { fetch: recorder.fetch, retry: { retries: 0 } });
    const error = await interruption(client.upload(bytes, { postId, fileName: 'big.png' }));
    expect(error.resume.session?.sent).toBe(true);
    const [committed] = await postAttachmentIds(postId);

    const again = recordingFetch();
    const attachment = await clientFor(s.author.key, { fetch: again.fetch }).resumeUpload(
      error.resume,
      bytes,
    );
    expect(attachment.id).toBe(committed);
    expect(again.requests.filter(isPut)).toEqual([]);
    expect(await postAttachmentIds(postId)).toEqual([committed]);
  }, 60_000);

  it('a lost answer to complete is retried inside upload, without a duplicate', async () => {
    const postId = await freshPost(s);
    let lost = false;
    const recorder = recordingFetch(async (request, pass) => {
      if (!isComplete(request) || lost) return undefined;
      lost = true;
      await (await pass()).arrayBuffer();
      throw networkError();
    });
    const attachment = await clientFor(s.author.key, { fetch: recorder.fetch }).upload(png, {
      postId,
      fileName: 'pic.png',
      via: 'session',
    });
    expect(recorder.requests.filter(isComplete)).toHaveLength(2);
    expect(await postAttachmentIds(postId)).toEqual([attachment.id]);
  });

  it('an upload URL that expired before the bytes arrived: resuming starts a new session', async () => {
    const postId = await freshPost(s);
    const bytes = pngOfSize(5 * MB);
    const controller = new AbortController();
    const error = await interruption(
      clientFor(s.author.key).upload(bytes, {
        postId,
        fileName: 'big.png',
        signal: controller.signal,
        onProgress: ({ bytesSent }) => {
          if (bytesSent > MB) controller.abort();
        },
      }),
    );
    const session = error.resume.session;
    if (!session) throw new Error('expected a session');
    const expired: ResumableUpload = {
      ...error.resume,
      session: { ...session, expiresAt: Date.now() - 1 },
    };
    const recorder = recordingFetch();
    const attachment = await clientFor(s.author.key, { fetch: recorder.fetch }).resumeUpload(
      expired,
      bytes,
    );
    const completed = recorder.requests.filter(isComplete).map((r) => r.url.pathname);
    expect(completed).toHaveLength(2); // the old session (nothing there), then the new one
    expect(completed[0]).toContain(session.uploadId);
    expect(completed[1]).not.toContain(session.uploadId);
    expect(recorder.requests.filter(isCreate)).toHaveLength(1);
    expect(await postAttachmentIds(postId)).toEqual([attachment.id]);
  }, 60_000);

  it('refuses to resume with other bytes', async () => {
    const state: ResumableUpload = {
      postId: s.posts.published,
      fileName: 'pic.png',
      mimeType: 'image/png',
      fileSize: png.length,
      sha256: '0'.repeat(64),
      via: 'session',
      idempotencyKey: crypto.randomUUID(),
    };
    await expect(clientFor(s.author.key).resumeUpload(state, png)).rejects.toThrow(
      'resumeUpload needs the same bytes',
    );
  });
});

describe('retries against the stack', () => {
  it('a 503 to the JSON upload is retried with the same Idempotency-Key: one attachment', async () => {
    const postId = await freshPost(s);
    let refused = false;
    const recorder = recordingFetch((request) => {
      if (request.method !== 'POST' || refused) return undefined;
      refused = true;
      return jsonResponse(503, { message: 'Service Unavailable' });
    });
    const attachment = await clientFor(s.author.key, { fetch: recorder.fetch }).upload(png, {
      postId,
      fileName: 'pic.png',
    });
    const keys = recorder.requests
      .filter((r) => r.method === 'POST')
      .map((r) => r.headers.get('idempotency-key'));
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(await postAttachmentIds(postId)).toEqual([attachment.id]);
  });

  it('429s are waited out per Retry-After on every step of a session upload', async () => {
    const postId = await freshPost(s);
    const limited = new Set<string>();
    const recorder = recordingFetch((request) => {
      const step = `${request.method} ${request.url.pathname}`;
      if (limited.has(step)) return undefined;
      limited.add(step);
      return jsonResponse(429, envelope('rate_limited', 'slow down'), { 'retry-after': '0' });
    });
    const retries: number[] = [];
    const client = clientFor(s.author.key, {
      fetch: recorder.fetch,
      onRetry: (event) => retries.push(event.status ?? 0),
    });
    const bytes = pngOfSize(5 * MB);
    const attachment = await client.upload(bytes, { postId, fileName: 'big.png' });
    // limits, create, PUT and complete were each refused once and then went through.
    expect(retries).toEqual([429, 429, 429, 429]);
    expect(await postAttachmentIds(postId)).toEqual([attachment.id]);
  }, 60_000);
});
