/**
 * `POST /api/v1/media` end to end: the local HTTP server, the real handler, DynamoDB Local and
 * the local S3 server. Every fixture of every allowed and refused type, validation, limits.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { MEDIA_FIXTURES, type MediaFixture, mediaBytes } from '../support/media-fixtures.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, testS3, testTable } from '../support/stack.ts';

const fixtures = MEDIA_FIXTURES;

let s: Scenario;
beforeAll(async () => {
  s = await seedScenario(testTable());
});

const upload = (body: unknown, key = s.author.key) =>
  api('/api/v1/media', { method: 'POST', key, body });

function uploadBody(
  fixture: Pick<MediaFixture, 'file' | 'mimeType'>,
  extra: Record<string, unknown> = {},
) {
  return {
    postId: s.posts.published,
    fileName: fixture.file,
    mimeType: fixture.mimeType,
    fileData: mediaBytes(fixture.file).toString('base64'),
    ...extra,
  };
}

describe('every allowed type', () => {
  const accepted = fixtures.filter(
    (f) => f.expect.startsWith('accept') && !f.file.includes('bomb'),
  );

  it.each(accepted)('$file is stored with its metadata', async (fixture) => {
    const response = await upload(uploadBody(fixture));
    expect(response.status).toBe(201);
    const body = response.json;
    expect(body).toMatchObject({
      postId: s.posts.published,
      fileName: fixture.file,
      originalFileName: fixture.file,
      fileType: fixture.fileType,
      fileSize: mediaBytes(fixture.file).length,
      width: fixture.width,
      height: fixture.height,
      thumbnailUrl: null,
      author: { id: s.author.id, name: 'Jane Smith' },
      post: { id: s.posts.published, title: 'Weekly Update' },
    });
    if (fixture.duration === null) expect(body.duration).toBeNull();
    // Encoders pad audio by a few tens of ms (fixtures.json says durations are approximate).
    else expect(Math.abs(body.duration - fixture.duration)).toBeLessThanOrEqual(0.1);
    expect(body.id).toMatch(/^att_[0-9a-z]+$/);
    const date = new Date(body.createdAt).toISOString().slice(0, 10).replaceAll('-', '/');
    expect(body.url).toMatch(
      new RegExp(`^/api/media/uploads/${date}/${body.id.slice(4)}\\.[a-z0-9]+$`),
    );

    // The stored object holds exactly the uploaded bytes.
    const stored = await testS3().send(
      new GetObjectCommand({
        Bucket: inject('bucketName'),
        Key: body.url.replace('/api/media/', ''),
      }),
    );
    expect(
      Buffer.from(await (stored.Body as NonNullable<typeof stored.Body>).transformToByteArray()),
    ).toEqual(mediaBytes(fixture.file));
  });

  it('accepts the documented aliases', async () => {
    const aliases: Array<[string, string]> = [
      ['audio-1.5s.m4a', 'audio/x-m4a'],
      ['audio-1.5s.wav', 'audio/x-wav'],
      ['audio-1.5s.opus', 'audio/ogg'],
      ['audio-1.5s.flac', 'audio/x-flac'],
      ['audio-1.5s.aiff', 'audio/x-aiff'],
      ['lottie-100x60-1.5s.json', 'application/lottie+json'],
    ];
    for (const [file, mimeType] of aliases) {
      const response = await upload(uploadBody({ file, mimeType }));
      expect(response.status, `${file} as ${mimeType}`).toBe(201);
    }
  });

  it('accepts a data: URL and takes the extension from the type, not the name', async () => {
    const png = mediaBytes('image-64x48.png').toString('base64');
    const response = await upload({
      postId: s.posts.published,
      fileName: 'holiday.exe',
      mimeType: 'image/png',
      fileData: `data:image/png;base64,${png}`,
    });
    expect(response.status).toBe(201);
    expect(response.json.url).toMatch(/\.png$/);
    expect(response.json.fileName).toBe('holiday.exe');
  });
});

describe('refused types', () => {
  const refused = fixtures.filter((f) => f.expect.startsWith('415'));

  it.each(refused)('$file → 415', async (fixture) => {
    const response = await upload(uploadBody(fixture));
    expect(response.status).toBe(415);
    expect(response.json.error.code).toBe('unsupported_media_type');
    if (fixture.mimeType.startsWith('video/') || fixture.mimeType.startsWith('model/')) {
      expect(response.json.error.message).toMatch(/web interface/);
    }
  });

  it('refuses unknown types', async () => {
    const response = await upload(
      uploadBody({ file: 'document-1page.pdf', mimeType: 'text/html' }),
    );
    expect(response.status).toBe(415);
  });
});

describe('metadata', () => {
  it('prefers what the file says over the client', async () => {
    const response = await upload(
      uploadBody({ file: 'image-64x48.png', mimeType: 'image/png' }, { width: 999, height: 999 }),
    );
    expect(response.json).toMatchObject({ width: 64, height: 48 });
  });

  it("falls back to the client's values where the file tells nothing", async () => {
    const response = await upload(
      uploadBody(
        { file: 'document-1page.pdf', mimeType: 'application/pdf' },
        { width: 595, height: 842, duration: 2.5 },
      ),
    );
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ width: 595, height: 842, duration: 2.5 });
  });

  it('sanitises fileName and keeps originalFileName', async () => {
    const name = '../../etc/pass\u0000wd<script>.png';
    const response = await upload(
      uploadBody({ file: 'image-64x48.png', mimeType: 'image/png' }, { fileName: name }),
    );
    expect(response.status).toBe(201);
    expect(response.json.originalFileName).toBe(name);
    expect(response.json.fileName).not.toMatch(/[/\\<>]/);
    expect(response.json.fileName).not.toContain('\u0000');
  });
});

describe('validation (400 naming the field)', () => {
  const valid = () => uploadBody({ file: 'image-64x48.png', mimeType: 'image/png' });

  it.each([
    ['postId', { postId: undefined }],
    ['postId', { postId: 42 }],
    ['fileName', { fileName: '' }],
    ['fileName', { fileName: 'x'.repeat(256) }],
    ['mimeType', { mimeType: undefined }],
    ['fileData', { fileData: '' }],
    ['fileData', { fileData: 'not base64!' }],
    ['fileData', { fileData: 12 }],
    ['width', { width: -1 }],
    ['width', { width: 1.5 }],
    ['height', { height: '48' }],
    ['duration', { duration: 0 }],
  ])('%s: %j', async (field, change) => {
    const response = await upload({ ...valid(), ...change });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: 'validation_error', details: { field } });
  });

  it.each([
    ['empty body', ''],
    ['not JSON', 'hello'],
    ['a JSON array', '[1,2]'],
    ['JSON null', 'null'],
    ['truncated JSON', '{"postId": "pst_'],
    [
      'nested junk',
      JSON.stringify({ postId: { $ne: null }, fileName: [[[]]], mimeType: {}, fileData: [] }),
    ],
    ['a huge string field', JSON.stringify({ postId: 'p'.repeat(1_000_000) })],
  ])('%s → 400 envelope', async (_name, raw) => {
    const response = await api('/api/v1/media', {
      method: 'POST',
      key: s.author.key,
      body: raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('validation_error');
  });

  it('invalid UTF-8 → 400', async () => {
    const raw = Buffer.concat([
      Buffer.from('{"postId":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const response = await api('/api/v1/media', {
      method: 'POST',
      key: s.author.key,
      body: raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
  });
});

describe('size limits', () => {
  const LIMIT = 52_428_800;
  // A real PNG header followed by padding: sniffed as PNG, dimensions from IHDR.
  const pngOfSize = (size: number) => {
    const png = mediaBytes('image-64x48.png');
    return Buffer.concat([png, Buffer.alloc(size - png.length)]);
  };

  it('accepts exactly 50 MB and serves it back from a signed URL, never with a key header', async () => {
    const bytes = pngOfSize(LIMIT);
    const response = await upload({
      postId: s.posts.published,
      fileName: 'big.png',
      mimeType: 'image/png',
      fileData: bytes.toString('base64'),
    });
    expect(response.status).toBe(201);
    expect(response.json.fileSize).toBe(LIMIT);

    const file = await api(response.json.url, { key: s.author.key, redirect: 'manual' });
    expect(file.status).toBe(302);
    const downloaded = await fetch(file.headers.get('location') ?? 'missing-location');
    expect(downloaded.status).toBe(200);
    // Storage cannot add our CSP: whatever it serves is a download.
    expect(downloaded.headers.get('content-disposition')).toMatch(
      /^attachment; filename="big.png"/,
    );
    const body = Buffer.from(await downloaded.arrayBuffer());
    expect(body.length).toBe(LIMIT);
    expect(body.equals(bytes)).toBe(true);

    // With `X-API-Key` a redirect would carry the key to storage: the URL comes in the body.
    const linked = await api(response.json.url, { headers: { 'x-api-key': s.author.key } });
    expect(linked.status).toBe(300);
    expect(linked.headers.get('location')).toBeNull();
    expect(linked.headers.get('cache-control')).toBe('private, no-store');
    expect(Date.parse(linked.json.expiresAt)).toBeGreaterThan(Date.now());
    const viaLink = await fetch(linked.json.url);
    expect(viaLink.status).toBe(200);
    expect(Buffer.from(await viaLink.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('refuses 50 MB + 1 byte with 413 and the sizes', async () => {
    const response = await upload({
      postId: s.posts.published,
      fileName: 'too-big.png',
      mimeType: 'image/png',
      fileData: pngOfSize(LIMIT + 1).toString('base64'),
    });
    expect(response.status).toBe(413);
    expect(response.json.error).toMatchObject({
      code: 'payload_too_large',
      details: { limitBytes: LIMIT, sizeBytes: LIMIT + 1 },
    });
    // Upload sessions have the same limit: no advice to use one.
    expect(response.json.error.message).toBe(
      `The file is ${LIMIT + 1} bytes; the limit is ${LIMIT} bytes.`,
    );
  });
});
