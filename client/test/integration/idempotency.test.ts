/**
 * The client's Idempotency-Key against the API's: answers lost on the way back are recovered
 * by repeating the request with the same key (the API replays its first answer), never by
 * creating a second attachment; a key reused for other content is a typed 422.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../../test/support/seed.ts';
import { MediaApiError, UploadInterruptedError } from '../../src/errors.ts';
import { networkError, type RecordedRequest, recordingFetch } from '../fake-fetch.ts';
import { rejectionOf } from '../rejection.ts';
import { clientFor, freshPost, png, pngOfSize, seed } from '../stack-client.ts';

let s: Scenario;
beforeAll(async () => {
  s = await seed();
});

const isJsonUpload = (r: RecordedRequest) =>
  r.method === 'POST' && r.url.pathname === '/api/v1/media';

async function postAttachmentIds(postId: string): Promise<string[]> {
  const ids = [];
  for await (const item of clientFor(s.author.key).list({ postId })) ids.push(item.id);
  return ids;
}

/** A fetch whose first answer to matching requests is lost after the API acted on it. */
function losingFirstAnswer(matches: (r: RecordedRequest) => boolean) {
  let lost = false;
  const replayed: string[] = [];
  const recorder = recordingFetch(async (request, pass) => {
    if (!matches(request)) return undefined;
    const response = await pass();
    if (lost) {
      replayed.push(response.headers.get('idempotent-replayed') ?? 'false');
      return response;
    }
    lost = true;
    await response.arrayBuffer();
    throw networkError();
  });
  return { ...recorder, replayed };
}

describe('Idempotency-Key', () => {
  it('a JSON upload whose answer was lost is retried with its key: replayed, one attachment', async () => {
    const postId = await freshPost(s);
    const losing = losingFirstAnswer(isJsonUpload);
    const attachment = await clientFor(s.author.key, { fetch: losing.fetch }).upload(png, {
      postId,
      fileName: 'pic.png',
    });
    expect(losing.replayed).toEqual(['true']);
    expect(await postAttachmentIds(postId)).toEqual([attachment.id]);
  });

  it('resuming an interrupted JSON upload replays its first answer', async () => {
    const postId = await freshPost(s);
    const losing = losingFirstAnswer(isJsonUpload);
    const client = clientFor(s.author.key, { fetch: losing.fetch, retry: { retries: 0 } });
    const error = await rejectionOf(
      client.upload(png, { postId, fileName: 'pic.png' }),
      UploadInterruptedError,
    );
    expect(error.resume.via).toBe('json');
    const [committed] = await postAttachmentIds(postId);

    const attachment = await client.resumeUpload(error.resume, png);
    expect(attachment.id).toBe(committed);
    expect(losing.replayed).toEqual(['true']);
    expect(await postAttachmentIds(postId)).toEqual([committed]);
  });

  it('a restore whose answer was lost is retried and replayed, not refused as not deleted', async () => {
    const author = clientFor(s.author.key);
    const attachment = await author.upload(png, { postId: s.posts.published, fileName: 'x.png' });
    await author.delete(attachment.id);
    const losing = losingFirstAnswer((r) => r.url.pathname.endsWith('/restore'));
    const restored = await clientFor(s.owner.key, { fetch: losing.fetch }).restore(attachment.id);
    expect(restored.id).toBe(attachment.id);
    expect(losing.replayed).toEqual(['true']);
  });

  it('422 idempotency_key_reused when one key is sent with another file', async () => {
    const client = clientFor(s.author.key);
    const idempotencyKey = crypto.randomUUID();
    const options = { postId: s.posts.published, fileName: 'pic.png', idempotencyKey };
    await client.upload(png, options);
    const error = await rejectionOf(
      client.upload(pngOfSize(png.length + 8), options),
      MediaApiError,
    );
    expect(error).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });
});
