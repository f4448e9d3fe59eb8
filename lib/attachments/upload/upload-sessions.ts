/**
 * Upload sessions, the direct-to-storage path for files of any allowed size (a deployed API
 * cannot carry a 50 MB file as base64 JSON):
 *
 * 1. `POST /api/v1/media/uploads` checks everything that does not need the bytes, in the JSON
 *    upload's order (400 schema, 415 declared type, 413 declared size, 404/403 post), records
 *    a pending session and answers with a presigned PUT for `staging/<uploadId>`.
 * 2. The client PUTs the bytes to storage.
 * 3. `POST /api/v1/media/uploads/{uploadId}/complete` reads the staged bytes, checks size,
 *    checksum and sniffed type, and stores them exactly like the JSON upload
 *    (`upload-commit.ts`); the session settles `completed` in the transaction that commits
 *    the attachment, atomically with the live permission check.
 *
 * Session states: `pending` → `completed` (with its attachment) or → `failed` (with the refusal
 * it answered); both are final. A pending session can be completed until `completeBy`; after
 * that it is expired (404). Failure order of a complete:
 * - bytes not there yet: 400, the session stays pending (PUT, then complete again);
 * - refused (size, checksum, type, permission): the staged object is removed, the session
 *   fails and every later complete repeats the same answer;
 * - storage or table unavailable: 500, the session stays pending and the staged object is
 *   kept, so the client can simply complete again;
 * - a concurrent complete won: this one removes its own stored copy (upload-commit.ts) and
 *   answers with the winner's attachment.
 * Staged objects left behind (abandoned sessions, a failed removal, a PUT repeated after
 * completion) are removed by the bucket's lifecycle rule on AWS and by
 * `sweepStagedUploads` locally, only once no session can use them any more.
 */
import type { Viewer } from '../../auth/permissions.ts';
import {
  type ApiError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../errors.ts';
import { isId, newId } from '../../ids.ts';
import { logger } from '../../logger.ts';
import { resolveDeclaredType } from '../../media/media-types.ts';
import { sha256Hex } from '../../storage/media-store.ts';
import { type StagingArea, stagingKeyOf } from '../../storage/staging.ts';
import { parseRequest } from '../../validation.ts';
import { getMedia } from '../read/read.ts';
import type { AttachmentDetail, UploadSessionResponse } from '../responses.ts';
import { uploadSessionRequestSchema } from '../schemas.ts';
import { assertMayUpload, type CommitUploadDeps, storeAndCommitUpload } from './upload-commit.ts';
import {
  completeSessionWrite,
  failUploadSession,
  getUploadSession,
  putUploadSession,
  type UploadSession,
  type UploadSessionFailure,
  UploadSessionSettledError,
} from './upload-session-records.ts';

export interface UploadSessionDeps extends CommitUploadDeps {
  staging: StagingArea;
  maxUploadBytes: number;
  /** How long the upload URL is valid (`MEDIA_UPLOAD_URL_SECONDS`). */
  uploadUrlSeconds: number;
}

/**
 * How long after `expiresAt` a session can still be completed: S3 checks a presigned URL when
 * the request starts, so an upload that starts just before expiry may finish well after it.
 */
export const COMPLETE_GRACE_MS = 15 * 60_000;

/** How long a settled session keeps answering repeated completes (then TTL removes it). */
export const SETTLED_RETENTION_MS = 24 * 3_600_000;

const nowOf = (deps: { now?: () => number }): number => (deps.now ?? Date.now)();

export async function createUploadSession(
  deps: UploadSessionDeps,
  viewer: Viewer,
  body: unknown,
): Promise<UploadSessionResponse> {
  const request = parseRequest(uploadSessionRequestSchema, body);
  const type = resolveDeclaredType(request.mimeType);
  if (request.fileSize > deps.maxUploadBytes) {
    throw new PayloadTooLargeError(
      `The file is ${request.fileSize} bytes; the limit is ${deps.maxUploadBytes} bytes.`,
      deps.maxUploadBytes,
      request.fileSize,
    );
  }
  await assertMayUpload(deps.table, viewer, request.postId);

  const now = nowOf(deps);
  const id = newId('uploadSession');
  const expiresAt = now + deps.uploadUrlSeconds * 1000;
  const session: UploadSession = {
    id,
    workspaceId: viewer.workspaceId,
    userId: viewer.userId,
    postId: request.postId,
    fileName: request.fileName,
    mimeType: request.mimeType,
    fileSize: request.fileSize,
    sha256: request.sha256 ?? null,
    width: request.width ?? null,
    height: request.height ?? null,
    duration: request.duration ?? null,
    stagingKey: stagingKeyOf(id),
    createdAt: now,
    expiresAt,
    completeBy: expiresAt + COMPLETE_GRACE_MS,
    status: 'pending',
    attachmentId: null,
    failure: null,
  };
  // The record first: a URL is never out there without the session that can complete it.
  await putUploadSession(deps.table, session, session.completeBy + SETTLED_RETENTION_MS);
  const upload = await deps.staging.presignPut(
    session.stagingKey,
    { contentType: type.canonicalMimeType, size: session.fileSize, sha256Hex: session.sha256 },
    deps.uploadUrlSeconds,
  );
  return {
    uploadId: id,
    uploadUrl: upload.url,
    method: upload.method,
    headers: upload.headers,
    expiresAt,
  };
}

export interface CompletedUpload {
  /** 201 when this request committed the attachment, 200 when an earlier one did. */
  statusCode: 200 | 201;
  body: AttachmentDetail;
}

export async function completeUploadSession(
  deps: UploadSessionDeps,
  viewer: Viewer,
  uploadId: string,
): Promise<CompletedUpload> {
  const session = await findOwnSession(deps, viewer, uploadId);
  if (session.status !== 'pending') return answerSettled(deps, viewer, session);
  if (nowOf(deps) > session.completeBy) {
    await removeStaged(deps, session);
    throw new NotFoundError(
      `Upload session ${session.id} expired at ${new Date(session.completeBy).toISOString()}; start a new one.`,
    );
  }

  let outcome: Awaited<ReturnType<typeof verifyAndCommit>>;
  try {
    outcome = await verifyAndCommit(deps, viewer, session);
  } catch (error) {
    if (error instanceof UploadSessionSettledError) {
      return answerSettled(deps, viewer, await findOwnSession(deps, viewer, uploadId));
    }
    const failure = refusalOf(error);
    if (failure) await endSession(deps, session, failure);
    throw error;
  }
  if (outcome === 'not_uploaded') {
    // Its staged copy is gone when a concurrent complete has just finished.
    const current = await findOwnSession(deps, viewer, uploadId);
    if (current.status !== 'pending') return answerSettled(deps, viewer, current);
    throw ValidationError.forField(
      'uploadId',
      `Nothing has been uploaded for session ${session.id} yet: send the file to its uploadUrl first.`,
    );
  }
  await removeStaged(deps, session);
  return { statusCode: 201, body: outcome };
}

/** Checks the staged bytes against the session and stores them as the attachment. */
async function verifyAndCommit(
  deps: UploadSessionDeps,
  viewer: Viewer,
  session: UploadSession,
): Promise<AttachmentDetail | 'not_uploaded'> {
  const post = await assertMayUpload(deps.table, viewer, session.postId);
  const staged = await deps.staging.read(session.stagingKey, session.fileSize);
  if (staged.kind === 'missing') return 'not_uploaded';
  if (staged.kind === 'wrong_size') {
    if (staged.size > deps.maxUploadBytes) {
      throw new PayloadTooLargeError(
        `The uploaded file is ${staged.size} bytes; the limit is ${deps.maxUploadBytes} bytes.`,
        deps.maxUploadBytes,
        staged.size,
      );
    }
    throw ValidationError.forField(
      'fileSize',
      `The uploaded file is ${staged.size} bytes, but the session declared ${session.fileSize}.`,
    );
  }
  if (session.sha256 && sha256Hex(staged.bytes) !== session.sha256) {
    throw ValidationError.forField(
      'sha256',
      'The uploaded file does not match the SHA-256 the session declared.',
    );
  }
  return storeAndCommitUpload(deps, viewer, post, session, staged.bytes, {
    alsoWrite: (attachment) => [
      completeSessionWrite(deps.table, session.id, attachment.id, nowOf(deps)),
    ],
  });
}

/** The session, if it exists and belongs to the caller; 404 otherwise (never leak others'). */
async function findOwnSession(
  deps: UploadSessionDeps,
  viewer: Viewer,
  uploadId: string,
): Promise<UploadSession> {
  const session = isId('uploadSession', uploadId)
    ? await getUploadSession(deps.table, uploadId)
    : null;
  if (!session || session.userId !== viewer.userId || session.workspaceId !== viewer.workspaceId) {
    throw new NotFoundError(`Upload session ${uploadId.slice(0, 64)} was not found.`);
  }
  return session;
}

/** A settled session repeats its answer: its attachment (as it is now) or its refusal. */
async function answerSettled(
  deps: UploadSessionDeps,
  viewer: Viewer,
  session: UploadSession,
): Promise<CompletedUpload> {
  if (session.status === 'completed' && session.attachmentId) {
    return { statusCode: 200, body: await getMedia(deps.table, viewer, session.attachmentId) };
  }
  throw errorFrom(session.failure);
}

/** Refusals end the session; anything else (an outage) leaves it pending for a retry. */
function refusalOf(error: unknown): UploadSessionFailure | null {
  const refused = [
    ValidationError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
  ].some((type) => error instanceof type);
  if (!refused) return null;
  const { statusCode, code, message, details } = error as ApiError;
  return { statusCode, code, message, ...(details ? { details } : {}) };
}

function errorFrom(failure: UploadSessionFailure | null): Error {
  const { statusCode, message, details } = failure ?? {
    statusCode: 500,
    message: 'upload session settled without an answer',
  };
  switch (statusCode) {
    case 400:
      return new ValidationError(message, details);
    case 403:
      return new ForbiddenError(message, details);
    case 404:
      return new NotFoundError(message, details);
    case 413:
      return new PayloadTooLargeError(
        message,
        Number(details?.limitBytes),
        details?.sizeBytes === undefined ? null : Number(details.sizeBytes),
      );
    case 415:
      return new UnsupportedMediaTypeError(message, details);
    default:
      // Not a refusal this module records: an internal error, never shown as such.
      return new Error(`upload session ${statusCode}: not a recorded refusal`);
  }
}

/** Nothing of a refused upload is kept: the staged object goes, the session fails. */
async function endSession(
  deps: UploadSessionDeps,
  session: UploadSession,
  failure: UploadSessionFailure,
): Promise<void> {
  await removeStaged(deps, session);
  try {
    await failUploadSession(deps.table, session.id, failure, nowOf(deps));
  } catch (error) {
    // Still pending: a repeated complete finds no staged object and asks for the bytes again.
    logger.error('could not record a refused upload session', {
      uploadId: session.id,
      error: error as Error,
    });
  }
}

/** Best effort: what is left is removed by the lifecycle rule (AWS) or the sweep (local). */
async function removeStaged(deps: UploadSessionDeps, session: UploadSession): Promise<void> {
  try {
    await deps.staging.remove(session.stagingKey);
  } catch (error) {
    logger.warn('could not remove a staged upload; the staging expiry will', {
      uploadId: session.id,
      error: error as Error,
    });
  }
}

/**
 * Removes staged objects no session can complete any more (written before the longest
 * possible session began + its URL validity + `COMPLETE_GRACE_MS`). Locally this is the job
 * of the bucket's `staging/` lifecycle rule on AWS; schedule it like the other sweeps.
 */
export async function sweepStagedUploads(deps: {
  staging: StagingArea;
  uploadUrlSeconds: number;
  now?: () => number;
}): Promise<number> {
  const cutoff = nowOf(deps) - deps.uploadUrlSeconds * 1000 - COMPLETE_GRACE_MS;
  return deps.staging.removeStagedOlderThan(new Date(cutoff));
}
