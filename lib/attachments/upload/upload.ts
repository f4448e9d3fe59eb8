/**
 * `POST /api/v1/media`: the whole file as base64 in a JSON body, for files the platform can
 * carry (a deployed API takes about 6 MB; larger files use an upload session, see
 * `upload-sessions.ts`). Cheap checks first (schema, declared type, size from the base64
 * length, permission), then decode; storing and committing is shared with upload sessions
 * (`upload-commit.ts`).
 */
import type { Viewer } from '../../auth/permissions.ts';
import { keys } from '../../db/keys.ts';
import type { RoutePrefetch } from '../../db/prefetch.ts';
import { resolveDeclaredType } from '../../media/media-types.ts';
import { parseRequest } from '../../validation.ts';
import { postAccessPrefetch } from '../read/visibility.ts';
import { uploadRequestSchema } from '../schemas.ts';
import { assertWithinLimit, base64Payload, decodeBase64 } from './file-data.ts';
import { assertMayUpload, type CommitUploadDeps, storeAndCommitUpload } from './upload-commit.ts';

export interface UploadDeps extends CommitUploadDeps {
  maxUploadBytes: number;
}

/**
 * What an upload reads, read ahead during authentication: the post named in the body with the
 * API key, then its project, the caller's project membership and the caller's user item (the
 * response's uploader) with the caller's membership. Two round trips before the writes
 * instead of four. `body`: the request's JSON object if it is one (`peekJsonBody`).
 */
export function uploadPrefetch(body: Record<string, unknown> | undefined): RoutePrefetch {
  return postAccessPrefetch(body?.postId, (caller) => [keys.user(caller.userId)]);
}

export async function uploadMedia(deps: UploadDeps, viewer: Viewer, body: unknown) {
  const request = parseRequest(uploadRequestSchema, body);
  resolveDeclaredType(request.mimeType);
  const base64 = base64Payload(request.fileData);
  assertWithinLimit(base64, deps.maxUploadBytes);
  const post = await assertMayUpload(deps.table, viewer, request.postId);
  return storeAndCommitUpload(deps, viewer, post, request, decodeBase64(base64));
}
