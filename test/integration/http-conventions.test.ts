/**
 * The integrator's conveniences (media-api.md "Beyond the seed"), end to end through the
 * local HTTP adapter and the real handlers: the served description and reference, `Location`,
 * `WWW-Authenticate`, ETags and 304, byte ranges, HEAD, cache headers, 415 and the limits.
 * (Every response here is also checked against the description by `api()`.)
 */
import puppeteer from 'puppeteer-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/openapi/document.ts';
import { mediaBytes } from '../support/media-fixtures.ts';
import { waitForThumbnail } from '../support/processing.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, apiUrl, testTable } from '../support/stack.ts';

let s: Scenario;
beforeAll(async () => {
  s = await seedScenario(testTable());
});

async function uploadPng() {
  const response = await api('/api/v1/media', {
    key: s.author.key,
    body: {
      postId: s.posts.published,
      fileName: 'pic.png',
      mimeType: 'image/png',
      fileData: mediaBytes('image-64x48.png').toString('base64'),
    },
  });
  expect(response.status).toBe(201);
  return response;
}

describe('the served description', () => {
  it('GET /openapi.json (no key) is the description generated from the code', async () => {
    const response = await api('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json).toEqual(
      JSON.parse(
        JSON.stringify(buildOpenApiDocument({ maxUploadBytes: inject('maxUploadBytes') })),
      ),
    );
    expect(response.json.openapi).toBe('3.1.0');
  });

  it('GET /docs/{asset} serves the renderer from the package, and nothing else', async () => {
    const script = await api('/docs/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.text.length).toBeGreaterThan(100_000);
    expect((await api('/docs/swagger-ui.css')).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await api('/docs/..%2Fpackage.json')).status).toBe(404);
    expect((await api('/docs/index.html')).status).toBe(404);
  });

  it('GET /docs renders every operation in headless Chromium, offline, without console errors', async () => {
    const document = buildOpenApiDocument({ maxUploadBytes: inject('maxUploadBytes') });
    const operationIds = Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId: string }>).map((op) => op.operationId),
    );
    const browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const origins = new Set<string>();
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
      page.on('request', (request) => origins.add(new URL(request.url()).origin));
      page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
      const response = await page.goto(`${apiUrl()}/docs`, { waitUntil: 'networkidle0' });
      expect(response?.status()).toBe(200);
      await page.waitForSelector('.opblock', { timeout: 30_000 });
      const rendered = await page.$$eval('.opblock', (blocks) => blocks.length);
      expect(rendered).toBe(operationIds.length);
      const title = await page.$eval('.info .title', (node) => node.textContent ?? '');
      expect(title).toContain('Media API');
      expect(problems).toEqual([]);
      // Offline: nothing but the API's own origin was asked for anything.
      expect([...origins].filter((origin) => origin !== 'null')).toEqual([
        new URL(apiUrl()).origin,
      ]);
    } finally {
      await browser.close();
    }
  }, 90_000);
});

describe('status and headers', () => {
  it('201 carries Location: the attachment (and its GET answers)', async () => {
    const created = await uploadPng();
    expect(created.headers.get('location')).toBe(`/api/v1/media/${created.json.id}`);
    const again = await api(created.headers.get('location') ?? '', { key: s.author.key });
    expect(again.status).toBe(200);
  });

  it('401 carries WWW-Authenticate: Bearer, for a missing and for a wrong key', async () => {
    for (const key of [undefined, 'pf_live_wrongwrongwrongwrongwrongwrongwrongwrong']) {
      const response = await api('/api/v1/media', key ? { key } : {});
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('a JSON route with a body of another content type → 415, nothing stored', async () => {
    const before = await api(`/api/v1/media?postId=${s.posts.draft}`, { key: s.author.key });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const response = await api('/api/v1/media', {
        key: s.author.key,
        rawBody: JSON.stringify({
          postId: s.posts.draft,
          fileName: 'a.png',
          mimeType: 'image/png',
          fileData: mediaBytes('image-64x48.png').toString('base64'),
        }),
        headers: { 'content-type': type },
      });
      expect(response.status).toBe(415);
      expect(response.json.error.code).toBe('unsupported_media_type');
    }
    const after = await api(`/api/v1/media?postId=${s.posts.draft}`, { key: s.author.key });
    expect(after.json.items).toEqual(before.json.items);
    // JSON with parameters, or a +json type, is JSON.
    const hold = await api('/api/v1/media/att_00000000000000000000/legal-hold', {
      method: 'PUT',
      key: s.owner.key,
      rawBody: '{"enabled":true}',
      headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' },
    });
    expect(hold.status).toBe(404);
  });

  it('GET /api/v1/media/limits (any valid key): the limits that apply', async () => {
    const response = await api('/api/v1/media/limits', { key: s.member.key });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      maxUploadBytes: inject('maxUploadBytes'),
      pageSize: { default: 50, max: 100 },
      rateLimit: { requestsPerMinute: expect.any(Number) },
    });
    expect(response.json.fileTypes.image).toContain('image/png');
    expect(response.json.fileTypes.document).toEqual(['application/pdf']);
    expect(response.json.maxJsonUploadBytes).toBeLessThanOrEqual(response.json.maxUploadBytes);
    expect((await api('/api/v1/media/limits')).status).toBe(401);
  });
});

/** A PNG whose background processing is over, so its representation no longer changes. */
async function settledPng() {
  const { json: created } = await uploadPng();
  return waitForThumbnail(created.id, s.author.key);
}

describe('GET /api/v1/media/{id}: ETag and HEAD', () => {
  it('a strong ETag; If-None-Match → 304 without a body; a change → a new ETag', async () => {
    const created = await settledPng();
    const first = await api(`/api/v1/media/${created.id}`, { key: s.author.key });
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const revalidated = await api(`/api/v1/media/${created.id}`, {
      key: s.author.key,
      headers: { 'if-none-match': etag },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);

    await api(`/api/v1/media/${created.id}/legal-hold`, {
      method: 'PUT',
      key: s.owner.key,
      body: { enabled: true },
    });
    const changed = await api(`/api/v1/media/${created.id}`, {
      key: s.author.key,
      headers: { 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.json.legalHold).toBe(true);
  });

  it('HEAD answers like GET without the body', async () => {
    const created = await settledPng();
    const get = await api(`/api/v1/media/${created.id}`, { key: s.author.key });
    const head = await api(`/api/v1/media/${created.id}`, { method: 'HEAD', key: s.author.key });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(get.text)));
    const missing = await api('/api/v1/media/att_00000000000000000000', {
      method: 'HEAD',
      key: s.author.key,
    });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('');
  });
});

describe('files and thumbnails served by the API', () => {
  it('strong ETag from the SHA-256, immutable caching, 304 on If-None-Match', async () => {
    const { json: created } = await uploadPng();
    const file = await api(created.url, { key: s.author.key });
    expect(file.status).toBe(200);
    const sha = (await import('node:crypto'))
      .createHash('sha256')
      .update(mediaBytes('image-64x48.png'))
      .digest('hex');
    expect(file.headers.get('etag')).toBe(`"${sha}"`);
    expect(file.headers.get('accept-ranges')).toBe('bytes');
    expect(file.headers.get('cache-control')).toMatch(/^private, max-age=\d+, immutable$/);
    // Kept per key: another key may not see the file.
    expect(file.headers.get('vary')).toBe('authorization, x-api-key');
    const again = await api(created.url, {
      key: s.author.key,
      headers: { 'if-none-match': `W/"x", "${sha}"` },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('vary')).toBe('authorization, x-api-key');
    expect(again.raw.length).toBe(0);
    // Revalidation still checks the key and the visibility.
    const stranger = await api(created.url, {
      key: s.other.owner.key,
      headers: { 'if-none-match': `"${sha}"` },
    });
    expect(stranger.status).toBe(404);
  });

  it('Range → 206 with Content-Range; outside → 416; several ranges → the whole file', async () => {
    const { json: created } = await uploadPng();
    const bytes = mediaBytes('image-64x48.png');
    const part = await api(created.url, { key: s.author.key, headers: { range: 'bytes=0-7' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(part.raw)).toEqual(bytes.subarray(0, 8));
    expect(part.headers.get('content-range')).toBe(`bytes 0-7/${bytes.length}`);
    const tail = await api(created.url, { key: s.author.key, headers: { range: 'bytes=-4' } });
    expect(Buffer.from(tail.raw)).toEqual(bytes.subarray(bytes.length - 4));
    const outside = await api(created.url, {
      key: s.author.key,
      headers: { range: `bytes=${bytes.length}-` },
    });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    expect(outside.json.error.code).toBe('range_not_satisfiable');
    const several = await api(created.url, {
      key: s.author.key,
      headers: { range: 'bytes=0-1,5-6' },
    });
    expect(several.status).toBe(200);
    expect(Buffer.from(several.raw)).toEqual(bytes);
    const stale = await api(created.url, {
      key: s.author.key,
      headers: { range: 'bytes=0-7', 'if-range': '"0000"' },
    });
    expect(stale.status).toBe(200);
  });

  it('HEAD on a file and a thumbnail: the GET headers, no body', async () => {
    const { json: created } = await uploadPng();
    const thumbnailUrl = (await waitForThumbnail(created.id, s.author.key)).thumbnailUrl;
    for (const url of [created.url, thumbnailUrl]) {
      const get = await api(url, { key: s.author.key });
      const head = await api(url, { method: 'HEAD', key: s.author.key });
      expect(head.status).toBe(200);
      expect(head.raw.length).toBe(0);
      expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect(head.headers.get('content-length')).toBe(String(get.raw.length));
    }
    const thumb = await api(thumbnailUrl, { key: s.author.key });
    const revalidated = await api(thumbnailUrl, {
      key: s.author.key,
      headers: { 'if-none-match': thumb.headers.get('etag') ?? '' },
    });
    expect(revalidated.status).toBe(304);
  });
});
