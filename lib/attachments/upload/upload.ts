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
import { uploadRequestSchema } from '../schemas.ts';
import { assertWithinLimit, base64Payload, decodeBase64 } from './file-data.ts';
import { assertMayUpload, type CommitUploadDeps, storeAndCommitUpload } from './upload-commit.ts';

export interface UploadDeps extends CommitUploadDeps {
  maxUploadBytes: number;
}

/** The caller's user item (the response's uploader), read with the caller's membership. */
export const uploaderPrefetch: RoutePrefetch = {
  withMembership: (caller) => [keys.user(caller.userId)],
};

export async function uploadMedia(deps: UploadDeps, viewer: Viewer, body: unknown) {
  const request = parseRequest(uploadRequestSchema, body);
  resolveDeclaredType(request.mimeType);
  const base64 = base64Payload(request.fileData);
  assertWithinLimit(base64, deps.maxUploadBytes);
  const post = await assertMayUpload(deps.table, viewer, request.postId);
  return storeAndCommitUpload(deps, viewer, post, request, decodeBase64(base64));
}
