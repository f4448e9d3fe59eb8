/**
 * Processing on storage events against DynamoDB Local and the local S3 server.
 *
 * The first part calls the processing directly on a bucket of its own (the local stack's
 * event wiring only serves the stack's bucket), so every event is one the test sends:
 * duplicates, out-of-order and early events, deletes racing the processing, every type.
 * The last part goes through the running stack: an upload, the S3 server's event, the
 * thumbnail appearing, and the thumbnail served with the file's rules.
 */
import { readFileSync } from 'node:fs';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Attachment } from '../../lib/attachments/model.ts';
import { commitAttachment, getAttachment } from '../../lib/attachments/records.ts';
import {
  assertMayUpload,
  storeAndCommitUpload,
} from '../../lib/attachments/upload/upload-commit.ts';
import type { Viewer } from '../../lib/auth/permissions.ts';
import { keys } from '../../lib/db/keys.ts';
import { attachmentSnapshot } from '../../lib/events/domain-events.ts';
import { newId } from '../../lib/ids.ts';
import {
  type ProcessingDeps,
  processStoredObject,
  RecordNotCommittedError,
} from '../../lib/processing/process-media.ts';
import { mediaStoreFrom } from '../../lib/storage/configured-store.ts';
import { type MediaStore, sha256Hex } from '../../lib/storage/media-store.ts';
import { eventsAbout, waitForEvents } from '../support/events.ts';
import { mediaBytes } from '../support/media-fixtures.ts';
import { onePagePdf, pdfDeflated } from '../support/pdf.ts';
import { waitForThumbnail } from '../support/processing.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, testConfig, testS3, testTable } from '../support/stack.ts';
import { tableEvents } from '../support/table-events.ts';

let s: Scenario;
let author: Viewer;
const bucket = `processing-${Date.now().toString(36)}`;
let store: MediaStore;

beforeAll(async () => {
  s = await seedScenario(testTable());
  author = { userId: s.author.id, workspaceId: s.workspaceId, role: 'member' };
  await testS3().send(new CreateBucketCommand({ Bucket: bucket }));
  store = mediaStoreFrom({ ...testConfig(), bucketName: bucket });
});

/** Processing deps that wait only briefly for records. */
function processing(overrides: Partial<ProcessingDeps> = {}) {
  const deps: ProcessingDeps = {
    table: testTable(),
    store,
    recordWait: { attempts: 2, delayMs: 10 },
    ...overrides,
  };
  return { deps };
}

/** The snapshots of every `media.processed` of the attachment (from the table's stream). */
const processedEvents = async (attachment: Attachment) =>
  (await tableEvents(testConfig(), { about: attachment.id, type: 'media.processed' })).map(
    (event) => event.data.attachment,
  );

/** An attachment committed the way uploads commit it, its blob in this test's bucket. */
async function uploaded(
  file: string,
  mimeType: string,
  postId = s.posts.published,
  bytes: Uint8Array = mediaBytes(file),
) {
  const post = await assertMayUpload(testTable(), author, postId);
  const detail = await storeAndCommitUpload(
    { table: testTable(), store },
    author,
    post,
    { postId, fileName: file, mimeType },
    bytes,
  );
  return (await getAttachment(testTable(), detail.id)) as Attachment;
}

const eventFor = (key: string, createdAt = Date.now()) => ({ bucket, key, createdAt });

async function thumbnailObjectsOf(attachment: Attachment): Promise<string[]> {
  const [, date, name] = /^uploads\/(.+)\/([0-9a-z]+)\./.exec(attachment.storageKey) ?? [];
  const listed = await testS3().send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: `thumbnails/${date}/${name}-` }),
  );
  return (listed.Contents ?? []).map((object) => object.Key as string);
}

async function storedImage(key: string) {
  const stored = await store.get(key);
  if (!stored) throw new Error(`${key} is not stored`);
  return { contentType: stored.contentType, ...(await sharp(stored.body).metadata()) };
}

async function markDeleted(id: string) {
  await testTable().db.send(
    new UpdateCommand({
      TableName: testTable().tableName,
      Key: keys.attachment(id),
      UpdateExpression: 'SET deletedAt = :now REMOVE listSK',
      ExpressionAttributeValues: { ':now': Date.now() },
    }),
  );
}

describe('thumbnails', () => {
  it('1600x900 JPEG → a 512x288 WebP thumbnail, recorded and reported', async () => {
    const attachment = await uploaded('image-1600x900.jpg', 'image/jpeg');
    const { deps } = processing();
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('processed');

    const after = (await getAttachment(testTable(), attachment.id)) as Attachment;
    expect(after.thumbnailKey).toMatch(
      new RegExp(`^thumbnails/\\d{4}/\\d{2}/\\d{2}/${attachment.id.slice(4)}-[0-9a-z]{8}\\.webp$`),
    );
    expect(await thumbnailObjectsOf(attachment)).toEqual([after.thumbnailKey]);
    expect(await storedImage(after.thumbnailKey as string)).toMatchObject({
      contentType: 'image/webp',
      format: 'webp',
      width: 512,
      height: 288,
    });
    expect(after.placeholder).toEqual({
      blurhash: expect.stringMatching(/^[0-9A-Za-z#$%*+,.:;=?@[\]^_{|}~-]{6,}$/),
      color: expect.stringMatching(/^#[0-9a-f]{6}$/),
    });
    expect(await processedEvents(attachment)).toEqual([attachmentSnapshot(after)]);
  });

  it.each([
    ['image-64x48.png', 'image/png', 64, 48],
    ['image-64x48.jpg', 'image/jpeg', 64, 48],
    ['image-64x48.webp', 'image/webp', 64, 48],
    ['image-64x48.avif', 'image/avif', 64, 48],
    ['image-40x30-animated.gif', 'image/gif', 40, 30],
    ['image-64x48.heic', 'image/heic', 64, 48],
  ])('%s (%s) → %ix%i, never upscaled', async (file, mimeType, width, height) => {
    const attachment = await uploaded(file, mimeType);
    expect(await processStoredObject(processing().deps, eventFor(attachment.storageKey))).toBe(
      'processed',
    );
    const after = (await getAttachment(testTable(), attachment.id)) as Attachment;
    expect(await storedImage(after.thumbnailKey as string)).toMatchObject({
      format: 'webp',
      width,
      height,
    });
    expect(after.placeholder?.color).toMatch(/^#[0-9a-f]{6}$/);
  });

  it.each([
    ['image-120x80.svg', 'image/svg+xml'],
    ['image-svg-with-script.svg', 'image/svg+xml'],
    ['audio-1.5s.mp3', 'audio/mpeg'],
    ['audio-1.5s.wav', 'audio/wav'],
    ['lottie-100x60-1.5s.json', 'application/json'],
  ])('%s: no thumbnail and no error', async (file, mimeType) => {
    const attachment = await uploaded(file, mimeType);
    const { deps } = processing();
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('nothing_to_do');
    expect(await getAttachment(testTable(), attachment.id)).toEqual(attachment);
    expect(await thumbnailObjectsOf(attachment)).toEqual([]);
    expect(await processedEvents(attachment)).toEqual([]);
  });

  it("a PDF → page 1 as a 512x256 WebP with a placeholder; the page is not the file's size", async () => {
    const attachment = await uploaded('document-1page.pdf', 'application/pdf');
    const { deps } = processing();
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('processed');
    const after = (await getAttachment(testTable(), attachment.id)) as Attachment;
    expect(await storedImage(after.thumbnailKey as string)).toMatchObject({
      contentType: 'image/webp',
      format: 'webp',
      width: 512,
      height: 256,
    });
    expect(after.placeholder?.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(after).toMatchObject({ width: null, height: null, fileType: 'document' });
    expect(await processedEvents(attachment)).toEqual([attachmentSnapshot(after)]);
  });

  it.each([
    ['truncated', mediaBytes('document-1page.pdf').subarray(0, 300)],
    // Two million drawing operations (about 40 kB compressed): more memory than PDFium may use.
    [
      'hostile',
      onePagePdf('/MediaBox [0 0 1000 1000] /Contents 4 0 R', [
        pdfDeflated('', '0 0 1000 1000 re f\n'.repeat(2_000_000)),
      ]),
    ],
  ])('a %s PDF: no thumbnail, no placeholder, no error', async (_, bytes) => {
    const attachment = await uploaded('broken.pdf', 'application/pdf', undefined, bytes);
    const { deps } = processing();
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('nothing_to_do');
    expect(await getAttachment(testTable(), attachment.id)).toEqual(attachment);
    expect(attachment.thumbnailKey).toBeNull();
    expect(attachment.placeholder ?? null).toBeNull();
    expect(await thumbnailObjectsOf(attachment)).toEqual([]);
    expect(await processedEvents(attachment)).toEqual([]);
  });

  it('the 20000x20000 image bomb: no thumbnail, no crash, memory intact', async () => {
    const attachment = await uploaded('image-bomb-20000x20000.png', 'image/png');
    expect(attachment).toMatchObject({ width: 20000, height: 20000 }); // from the header only
    const rssBefore = process.memoryUsage().rss;
    expect(await processStoredObject(processing().deps, eventFor(attachment.storageKey))).toBe(
      'nothing_to_do',
    );
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
    expect((await getAttachment(testTable(), attachment.id))?.thumbnailKey).toBeNull();
    expect(await thumbnailObjectsOf(attachment)).toEqual([]);
  });
});

describe('at-least-once, unordered events', () => {
  it('duplicates, concurrent and later: one thumbnail, recorded once, reported once', async () => {
    const attachment = await uploaded('image-1600x900.jpg', 'image/jpeg');
    const { deps } = processing();
    const event = eventFor(attachment.storageKey);
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => processStoredObject(deps, event)),
    );
    const later = await processStoredObject(deps, event);
    expect(concurrent.filter((outcome) => outcome === 'processed')).toHaveLength(1);
    expect([...concurrent, later].filter((o) => o !== 'processed')).toEqual(
      Array(5).fill('nothing_to_do'),
    );
    const after = (await getAttachment(testTable(), attachment.id)) as Attachment;
    // The runs that lost removed what they wrote: only the recorded thumbnail is stored.
    expect(await thumbnailObjectsOf(attachment)).toEqual([after.thumbnailKey]);
    expect(await processedEvents(attachment)).toHaveLength(1);
  });

  it('an event after the delete never brings the attachment back', async () => {
    const attachment = await uploaded('image-64x48.png', 'image/png');
    await markDeleted(attachment.id);
    const before = await getAttachment(testTable(), attachment.id);
    const { deps } = processing();
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('deleted');
    expect(await getAttachment(testTable(), attachment.id)).toEqual(before);
    expect(await thumbnailObjectsOf(attachment)).toEqual([]);
    expect(await processedEvents(attachment)).toEqual([]);
  });

  it('a delete landing while the thumbnail is made: nothing recorded, nothing kept', async () => {
    const attachment = await uploaded('image-1600x900.jpg', 'image/jpeg');
    const racing: MediaStore = Object.create(store);
    racing.put = async (key, bytes, contentType) => {
      await store.put(key, bytes, contentType);
      await markDeleted(attachment.id); // between the thumbnail write and its record
    };
    const { deps } = processing({ store: racing });
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('deleted');
    const after = await getAttachment(testTable(), attachment.id);
    expect(after).toMatchObject({ thumbnailKey: null });
    expect(after?.deletedAt).not.toBeNull();
    expect(await thumbnailObjectsOf(attachment)).toEqual([]);
    expect(await processedEvents(attachment)).toEqual([]);
  });

  it('an event before the record is committed: waits, then asks to be retried', async () => {
    const id = newId('attachment');
    const key = `uploads/2026/04/01/${id.slice(4)}.png`;
    await store.put(key, mediaBytes('image-64x48.png'), 'image/png');
    const { deps } = processing();
    await expect(processStoredObject(deps, eventFor(key))).rejects.toBeInstanceOf(
      RecordNotCommittedError,
    );
    // Long after the blob was stored, still no record: an orphan, not retried forever.
    expect(await processStoredObject(deps, eventFor(key, Date.now() - 11 * 60_000))).toBe('orphan');
  });

  it('a record committed while the event waits is processed', async () => {
    const bytes = mediaBytes('image-1600x900.jpg');
    const createdAt = Date.now();
    const id = newId('attachment');
    const attachment: Attachment = {
      id,
      workspaceId: s.workspaceId,
      postId: s.posts.published,
      uploaderId: s.author.id,
      fileName: 'late.jpg',
      originalFileName: 'late.jpg',
      fileType: 'image',
      mimeType: 'image/jpeg',
      fileSize: bytes.length,
      sha256: sha256Hex(bytes),
      storageKey: `uploads/2026/04/01/${id.slice(4)}.jpg`,
      thumbnailKey: null,
      // Unknown at upload: processing reads them from the image.
      width: null,
      height: null,
      duration: null,
      createdAt,
      legalHold: false,
      deletedAt: null,
      purgeAfter: null,
    };
    await store.put(attachment.storageKey, bytes, 'image/jpeg');
    const sleep = vi.fn(async (ms: number) => {
      if (sleep.mock.calls.length === 2) await commitAttachment(testTable(), attachment);
      await new Promise((done) => setTimeout(done, ms));
    });
    const { deps } = processing({ recordWait: { attempts: 5, delayMs: 10 }, sleep });
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('processed');
    expect(await getAttachment(testTable(), id)).toMatchObject({ width: 1600, height: 900 });
  });

  it('an event for an upload that never committed (blob removed again): nothing to do', async () => {
    const key = `uploads/2026/04/01/${newId('attachment').slice(4)}.png`;
    expect(await processStoredObject(processing().deps, eventFor(key))).toBe('abandoned');
  });

  it('keys that are not stored files are ignored', async () => {
    const { deps } = processing();
    for (const key of ['thumbnails/2026/04/01/abc-x.webp', 'staging/upl_x', 'uploads/x']) {
      expect(await processStoredObject(deps, eventFor(key))).toBe('not_an_attachment');
    }
  });
});

describe('legal hold', () => {
  async function holdRecord(id: string) {
    await testTable().db.send(
      new UpdateCommand({
        TableName: testTable().tableName,
        Key: keys.attachment(id),
        UpdateExpression: 'SET legalHold = :on',
        ExpressionAttributeValues: { ':on': true },
      }),
    );
  }

  it('a thumbnail recorded on a held attachment is held too', async () => {
    const attachment = await uploaded('image-64x48.png', 'image/png');
    await holdRecord(attachment.id);
    const { deps } = processing();
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('processed');
    const after = (await getAttachment(testTable(), attachment.id)) as Attachment;
    expect(after).toMatchObject({ legalHold: true, thumbnailKey: expect.any(String) });
    expect(await store.isLegallyHeld(after.thumbnailKey as string)).toBe(true);
    expect(await processedEvents(attachment)).toEqual([attachmentSnapshot(after)]);
  });

  it('a duplicate event holds a thumbnail a failed run left unheld', async () => {
    const attachment = await uploaded('image-64x48.png', 'image/png');
    expect(await processStoredObject(processing().deps, eventFor(attachment.storageKey))).toBe(
      'processed',
    );
    // Held after the thumbnail was recorded, as if the run's hold had failed.
    await holdRecord(attachment.id);
    const after = (await getAttachment(testTable(), attachment.id)) as Attachment;
    expect(await store.isLegallyHeld(after.thumbnailKey as string)).toBe(false);
    const { deps } = processing();
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('nothing_to_do');
    expect(await store.isLegallyHeld(after.thumbnailKey as string)).toBe(true);
    // Only the first run recorded something.
    expect(await processedEvents(attachment)).toHaveLength(1);
  });

  it('the thumbnail of an attachment without a hold is not held', async () => {
    const attachment = await uploaded('image-64x48.png', 'image/png');
    expect(await processStoredObject(processing().deps, eventFor(attachment.storageKey))).toBe(
      'processed',
    );
    const after = (await getAttachment(testTable(), attachment.id)) as Attachment;
    expect(await store.isLegallyHeld(after.thumbnailKey as string)).toBe(false);
  });
});

describe('metadata backfill', () => {
  it('fills an unknown duration, never overwrites a known value', async () => {
    const attachment = await uploaded('audio-1.5s.mp3', 'audio/mpeg');
    await testTable().db.send(
      new UpdateCommand({
        TableName: testTable().tableName,
        Key: keys.attachment(attachment.id),
        UpdateExpression: 'REMOVE #duration',
        ExpressionAttributeNames: { '#duration': 'duration' },
      }),
    );
    const { deps } = processing();
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('processed');
    const after = await getAttachment(testTable(), attachment.id);
    expect(Math.abs((after?.duration ?? 0) - 1.5)).toBeLessThanOrEqual(0.1);
    expect(after?.thumbnailKey).toBeNull();
    expect(await processedEvents(attachment)).toHaveLength(1);
    expect(await processStoredObject(deps, eventFor(attachment.storageKey))).toBe('nothing_to_do');
  });
});

describe('through the running stack', () => {
  it('an upload gets its thumbnail soon after, served with the file’s rules', async () => {
    const upload = await api('/api/v1/media', {
      method: 'POST',
      key: s.author.key,
      body: {
        postId: s.posts.published,
        fileName: 'wide.jpg',
        mimeType: 'image/jpeg',
        fileData: mediaBytes('image-1600x900.jpg').toString('base64'),
      },
    });
    expect(upload.status).toBe(201);
    expect(upload.json.thumbnailUrl).toBeNull();

    const processed = await waitForThumbnail(upload.json.id, s.author.key);
    expect(processed.thumbnailUrl).toMatch(/^\/api\/media\/thumbnails\/.+\.webp$/);
    // One event per step (in the stack's events file): the upload, then the processing.
    await waitForEvents(upload.json.id, 'media.uploaded');
    expect(await eventsAbout(upload.json.id, 'media.uploaded')).toHaveLength(1);
    const [processedEvent] = await waitForEvents(upload.json.id, 'media.processed');
    expect(processedEvent?.data).toMatchObject({
      attachment: { thumbnailKey: processed.thumbnailUrl.replace('/api/media/', '') },
    });
    expect(await eventsAbout(upload.json.id, 'media.processed')).toHaveLength(1);
    const thumbnail = await api(processed.thumbnailUrl, { key: s.member.key });
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(thumbnail.headers.get('x-content-type-options')).toBe('nosniff');
    expect(thumbnail.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(await sharp(thumbnail.raw).metadata()).toMatchObject({
      format: 'webp',
      width: 512,
      height: 288,
    });
    const listed = await api(`/api/v1/media?postId=${s.posts.published}`, { key: s.member.key });
    expect(
      listed.json.items.find((item: { id: string }) => item.id === upload.json.id),
    ).toMatchObject({ thumbnailUrl: processed.thumbnailUrl });

    // The same key and live visibility as the file.
    expect((await api(processed.thumbnailUrl, { key: s.authorReadOnlyKey })).status).toBe(200);
    expect((await api(processed.thumbnailUrl)).status).toBe(401);
    expect((await api(processed.thumbnailUrl, { key: s.other.owner.key })).status).toBe(404);
    const bogus = processed.thumbnailUrl.replace(/-[0-9a-z]+\.webp$/, '-00000000.webp');
    expect((await api(bogus, { key: s.author.key })).status).toBe(404);
    const deleted = await api(`/api/v1/media/${upload.json.id}`, {
      method: 'DELETE',
      key: s.author.key,
    });
    expect(deleted.status).toBe(200);
    expect((await api(processed.thumbnailUrl, { key: s.author.key })).status).toBe(404);
  });

  it('a phone HEIC photo: upright thumbnail, placeholder, no GPS in the served original', async () => {
    const photo = readFileSync(
      new URL('../fixtures/previews/photo-640x480-gps-rotated.heic', import.meta.url),
    );
    const upload = await api('/api/v1/media', {
      method: 'POST',
      key: s.author.key,
      body: {
        postId: s.posts.published,
        fileName: 'IMG_0001.HEIC',
        mimeType: 'image/heic',
        fileData: photo.toString('base64'),
      },
    });
    expect(upload.status, upload.text).toBe(201);
    expect(upload.json).toMatchObject({ width: 480, height: 640, placeholder: null });
    expect(upload.json.metadataRemoved).toEqual(['location']);

    const processed = await waitForThumbnail(upload.json.id, s.author.key);
    expect(processed.placeholder).toEqual({
      blurhash: expect.any(String),
      color: expect.stringMatching(/^#[0-9a-f]{6}$/),
    });
    const thumbnail = await api(processed.thumbnailUrl, { key: s.member.key });
    const { data, info } = await sharp(thumbnail.raw).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 384, height: 512 });
    expect(data[0]).toBeGreaterThan(150); // red on top: the rotation was applied once
    const [processedEvent] = await waitForEvents(upload.json.id, 'media.processed');
    expect(processedEvent?.data).toMatchObject({
      attachment: { placeholder: processed.placeholder },
    });
    const listed = await api(`/api/v1/media?postId=${s.posts.published}&limit=100`, {
      key: s.member.key,
    });
    expect(
      listed.json.items.find((item: { id: string }) => item.id === upload.json.id),
    ).toMatchObject({ placeholder: processed.placeholder });
  });

  it('a draft’s thumbnail is hidden from those who cannot see the draft', async () => {
    const upload = await api('/api/v1/media', {
      method: 'POST',
      key: s.author.key,
      body: {
        postId: s.posts.draft,
        fileName: 'draft.png',
        mimeType: 'image/png',
        fileData: mediaBytes('image-64x48.png').toString('base64'),
      },
    });
    const processed = await waitForThumbnail(upload.json.id, s.author.key);
    expect((await api(processed.thumbnailUrl, { key: s.author.key })).status).toBe(200);
    expect((await api(processed.thumbnailUrl, { key: s.member.key })).status).toBe(404);
    expect((await api(processed.url, { key: s.member.key })).status).toBe(404);
  });

  it('a file uploaded through a session gets its thumbnail too', async () => {
    const bytes = mediaBytes('image-1600x900.jpg');
    const session = await api('/api/v1/media/uploads', {
      method: 'POST',
      key: s.author.key,
      body: {
        postId: s.posts.published,
        fileName: 'session.jpg',
        mimeType: 'image/jpeg',
        fileSize: bytes.length,
      },
    });
    await fetch(session.json.uploadUrl, {
      method: 'PUT',
      headers: session.json.headers,
      body: bytes,
    });
    const completed = await api(`/api/v1/media/uploads/${session.json.uploadId}/complete`, {
      method: 'POST',
      key: s.author.key,
    });
    expect(completed.status).toBe(201);
    const processed = await waitForThumbnail(completed.json.id, s.author.key);
    const thumbnail = await api(processed.thumbnailUrl, { key: s.author.key });
    expect(await sharp(thumbnail.raw).metadata()).toMatchObject({ width: 512, height: 288 });
  });
});
