/** What the HTTP and cold-start measurements need on top of a seeded dataset. */
import type { TableContext } from '../../lib/db/client.ts';
import type { RequestFixtures } from './requests.ts';
import { addAttachments, benchAttachment, type Dataset } from './seed.ts';
import { rng } from './stats.ts';

/** `count` fresh attachments on a public post, for DELETE requests (each used once). */
export async function deletePool(
  table: TableContext,
  dataset: Dataset,
  count: number,
  seed: number,
): Promise<string[]> {
  const random = rng(seed);
  const postId = dataset.publicPostIds[1] ?? (dataset.publicPostIds[0] as string);
  const base = Date.UTC(2025, 0, 1);
  const attachments = Array.from({ length: count }, (_, i) =>
    benchAttachment(random, {
      workspaceId: dataset.workspaceId,
      projectId: dataset.publicProjectId,
      postId,
      uploaderId: dataset.author.id,
      createdAt: base + i * 1000,
      fileType: 'image',
    }),
  );
  await addAttachments(table, attachments);
  return attachments.map((a) => a.id);
}

/** Uploads one file through the API (so its blob exists) and returns its `id` and `url`. */
export async function uploadThroughApi(
  apiUrl: string,
  key: string,
  body: { postId: string; fileName: string; mimeType: string; fileData: string },
): Promise<{ id: string; url: string }> {
  const response = await fetch(`${apiUrl}/api/v1/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { id?: string; url?: string };
  if (response.status !== 201 || !json.id || !json.url) {
    throw new Error(`upload through the API failed: ${response.status} ${JSON.stringify(json)}`);
  }
  return { id: json.id, url: json.url };
}

async function api(
  apiUrl: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: response.status, json };
}

/**
 * Upload sessions whose bytes are already in staging, ready to be completed (one per request).
 * Best effort: if the session API refuses, the caller falls back to a generic request.
 */
async function completableSessions(
  apiUrl: string,
  dataset: Dataset,
  postId: string,
  png: Buffer,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await api(apiUrl, 'POST', '/api/v1/media/uploads', dataset.author.key, {
      postId,
      fileName: `session-${i}.png`,
      mimeType: 'image/png',
      fileSize: png.length,
    });
    const { uploadId, uploadUrl, method, headers } = created.json as {
      uploadId?: string;
      uploadUrl?: string;
      method?: string;
      headers?: Record<string, string>;
    };
    if (created.status !== 201 || !uploadId || !uploadUrl) {
      throw new Error(`create session answered ${created.status}`);
    }
    // Loads target 127.0.0.1 only: the local stack's S3 server.
    if (new URL(uploadUrl, apiUrl).hostname !== '127.0.0.1') {
      throw new Error(`upload URL is not local: ${new URL(uploadUrl, apiUrl).host}`);
    }
    const put = await fetch(new URL(uploadUrl, apiUrl), {
      method: method ?? 'PUT',
      headers: headers ?? {},
      body: png,
    });
    if (!put.ok) throw new Error(`upload to the session URL answered ${put.status}`);
    ids.push(uploadId);
  }
  return ids;
}

export async function requestFixtures(options: {
  apiUrl: string;
  table: TableContext;
  dataset: Dataset;
  uploads: Dataset;
  smallPngBase64: string;
  /** How many DELETE / restore / complete requests the caller will make. */
  perKind: number;
  log: (line: string) => void;
}): Promise<RequestFixtures> {
  const { apiUrl, dataset, uploads } = options;
  const uploadPostId = uploads.publicPostIds[0] as string;
  const upload = () =>
    uploadThroughApi(apiUrl, uploads.author.key, {
      postId: uploadPostId,
      fileName: 'stored.png',
      mimeType: 'image/png',
      fileData: options.smallPngBase64,
    });
  const storedFileUrl = (await upload()).url;
  const deletable = await deletePool(options.table, dataset, options.perKind, 7);
  // Uploaded (so their files exist) and deleted through the API, to be restored one per request.
  const restorable: string[] = [];
  for (let i = 0; i < options.perKind; i++) {
    const { id } = await upload();
    const deleted = await api(apiUrl, 'DELETE', `/api/v1/media/${id}`, uploads.admin.key);
    if (deleted.status !== 200) throw new Error(`could not delete ${id}: ${deleted.status}`);
    restorable.push(id);
  }
  let sessions: string[] = [];
  try {
    sessions = await completableSessions(
      apiUrl,
      uploads,
      uploadPostId,
      Buffer.from(options.smallPngBase64, 'base64'),
      options.perKind,
    );
  } catch (error) {
    options.log(`  upload sessions unavailable, generic request instead: ${String(error)}`);
  }
  const take = (ids: string[], what: string) => () => {
    const id = ids.pop();
    if (!id) throw new Error(`the pool of ${what} attachments is empty`);
    return id;
  };
  return {
    dataset,
    uploads,
    uploadPostId,
    smallPngBase64: options.smallPngBase64,
    storedFileUrl,
    nextDeletableId: take(deletable, 'deletable'),
    nextRestorableId: take(restorable, 'restorable'),
    nextCompletableUploadId: () => sessions.pop() ?? null,
  };
}
