/**
 * Location privacy end to end: GPS metadata leaves image originals before they are stored, on
 * both upload paths, and the attachment, its size and its checksum describe the stored bytes;
 * with `MEDIA_KEEP_LOCATION` (`keepLocation`) the original is stored untouched.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { getAttachment } from '../../lib/attachments/records.ts';
import { uploadMedia } from '../../lib/attachments/upload/upload.ts';
import type { Viewer } from '../../lib/auth/permissions.ts';
import { mediaStoreFrom } from '../../lib/storage/configured-store.ts';
import { exifOrientationOf, locationOf, previewFixture } from '../support/previews.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { api, testConfig, testTable } from '../support/stack.ts';

const PHOTO = 'photo-640x480-gps-rotated.jpg';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let s: Scenario;
beforeAll(async () => {
  s = await seedScenario(testTable());
});

const uploadBody = (file: string, mimeType: string) => ({
  postId: s.posts.published,
  fileName: file,
  mimeType,
  fileData: Buffer.from(previewFixture(file)).toString('base64'),
});

/** The stored file as the API serves it, checked against the record's size and checksum. */
async function servedFile(attachment: { id: string; url: string }) {
  const file = await api(attachment.url, { key: s.author.key });
  expect(file.status).toBe(200);
  const record = await getAttachment(testTable(), attachment.id);
  expect(record?.fileSize).toBe(file.raw.length);
  expect(record?.sha256).toBe(sha256(file.raw));
  return file.raw;
}

describe('JSON upload', () => {
  it('removes GPS from a JPEG and says so in upload, get and list', async () => {
    const response = await api('/api/v1/media', {
      method: 'POST',
      key: s.author.key,
      body: uploadBody(PHOTO, 'image/jpeg'),
    });
    expect(response.status, response.text).toBe(201);
    expect(response.json.metadataRemoved).toEqual(['location']);
    // Orientation is not location: the photo still displays upright (480×640).
    expect(response.json).toMatchObject({ width: 480, height: 640 });

    const stored = await servedFile(response.json);
    expect(locationOf(stored)).toEqual({});
    expect(exifOrientationOf(stored)).toBe(6);
    expect(sha256(stored)).not.toBe(sha256(previewFixture(PHOTO)));

    const got = await api(`/api/v1/media/${response.json.id}`, { key: s.author.key });
    expect(got.json.metadataRemoved).toEqual(['location']);
    const listed = await api(`/api/v1/media?postId=${s.posts.published}&limit=100`, {
      key: s.author.key,
    });
    const item = listed.json.items.find((i: { id: string }) => i.id === response.json.id);
    expect(item.metadataRemoved).toEqual(['location']);
  });

  it.each([
    ['photo-640x480-gps-rotated.heic', 'image/heic'],
    ['gps-64x48.png', 'image/png'],
    ['gps-640x480.webp', 'image/webp'],
    ['gps-640x480.avif', 'image/avif'],
    ['xmp-gps.jpg', 'image/jpeg'],
  ])('removes GPS from %s', async (file, mimeType) => {
    const response = await api('/api/v1/media', {
      method: 'POST',
      key: s.author.key,
      body: uploadBody(file, mimeType),
    });
    expect(response.status, response.text).toBe(201);
    expect(response.json.metadataRemoved).toEqual(['location']);
    expect(locationOf(await servedFile(response.json))).toEqual({});
  });

  it('says [] when there was nothing to remove', async () => {
    const response = await api('/api/v1/media', {
      method: 'POST',
      key: s.author.key,
      body: { ...uploadBody(PHOTO, 'image/jpeg'), fileData: await noGpsJpeg() },
    });
    expect(response.status, response.text).toBe(201);
    expect(response.json.metadataRemoved).toEqual([]);
  });
});

/** The photo once its location is gone, as base64 (uploading it again removes nothing). */
async function noGpsJpeg(): Promise<string> {
  const { removeLocation } = await import('../../lib/media/location/remove-location.ts');
  const bytes = previewFixture(PHOTO);
  removeLocation(bytes, 'image/jpeg');
  return Buffer.from(bytes).toString('base64');
}

describe('MEDIA_KEEP_LOCATION', () => {
  it('stores the original byte for byte, GPS included', async () => {
    const author: Viewer = { userId: s.author.id, workspaceId: s.workspaceId, role: 'member' };
    const config = testConfig();
    const attachment = await uploadMedia(
      {
        table: testTable(),
        store: mediaStoreFrom({ ...config, storageMode: 'portable' }),
        maxUploadBytes: config.maxUploadBytes,
        keepLocation: true,
      },
      author,
      uploadBody(PHOTO, 'image/jpeg'),
    );
    expect(attachment.metadataRemoved).toEqual([]);
    const stored = await servedFile(attachment);
    expect(sha256(stored)).toBe(sha256(previewFixture(PHOTO)));
    expect(locationOf(stored)).toMatchObject({ Latitude: 48.8584 });
  });
});

describe('upload session', () => {
  it("verifies the client's sha256 on what it sent, then stores the file without GPS", async () => {
    const original = previewFixture(PHOTO);
    const created = await api('/api/v1/media/uploads', {
      method: 'POST',
      key: s.author.key,
      body: {
        postId: s.posts.published,
        fileName: PHOTO,
        mimeType: 'image/jpeg',
        fileSize: original.length,
        sha256: sha256(original),
      },
    });
    expect(created.status, created.text).toBe(201);
    const { uploadUrl, method, headers, uploadId } = created.json;
    const put = await fetch(uploadUrl, { method, headers, body: original });
    expect(put.ok).toBe(true);

    const completed = await api(`/api/v1/media/uploads/${uploadId}/complete`, {
      method: 'POST',
      key: s.author.key,
    });
    expect(completed.status, completed.text).toBe(201);
    expect(completed.json.metadataRemoved).toEqual(['location']);
    const stored = await servedFile(completed.json);
    expect(locationOf(stored)).toEqual({});
    // The attachment's checksum is the stored file's, not the one the client declared.
    expect(sha256(stored)).not.toBe(sha256(original));
  });
});
