/**
 * `upload` and `resumeUpload`: the JSON upload for small files, an upload session (create, PUT
 * to storage, complete) for the rest, chosen by size from the API's limits. See
 * `upload-state.ts` for what is kept and what "resume" means.
 */
import { MediaApiError, UploadInterruptedError } from './errors.ts';
import type { MediaLimits } from './limits.ts';
import { isAbortError } from './retry.ts';
import { readJson, type Transport } from './transport.ts';
import type { Attachment, UploadSession } from './types.ts';
import { base64Of, mimeTypeOf, readSource, sha256Hex, type UploadSource } from './upload-source.ts';
import type { ResumableUpload } from './upload-state.ts';

export interface UploadProgress {
  /** Bytes of the file handed to the network so far (restarts at 0 when a send is repeated). */
  bytesSent: number;
  totalBytes: number;
}

export interface UploadOptions {
  postId: string;
  fileName: string;
  /** Default: a `File`'s type, else the type the file name's extension stands for. */
  mimeType?: string;
  /** Used only where the file itself does not tell (pixels, seconds). */
  width?: number;
  height?: number;
  duration?: number;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
  /** The `Idempotency-Key` of the creating request; default: a random UUID. */
  idempotencyKey?: string;
  /** Force a path; default: `json` up to `maxJsonUploadBytes`, else `session`. */
  via?: 'json' | 'session';
}

export type ResumeOptions = Pick<UploadOptions, 'onProgress' | 'signal'>;

export interface UploadContext {
  transport: Transport;
  limits(signal?: AbortSignal): Promise<MediaLimits>;
}

export async function upload(
  ctx: UploadContext,
  source: UploadSource,
  options: UploadOptions,
): Promise<Attachment> {
  if (!options?.postId || !options.fileName) {
    throw new TypeError('upload needs options.postId and options.fileName');
  }
  const limits = await ctx.limits(options.signal);
  const bytes = await readSource(source, limits.maxUploadBytes);
  const state: ResumableUpload = {
    postId: options.postId,
    fileName: options.fileName,
    mimeType: options.mimeType ?? mimeTypeOf(options.fileName, source),
    fileSize: bytes.byteLength,
    sha256: await sha256Hex(bytes),
    ...(options.width === undefined ? {} : { width: options.width }),
    ...(options.height === undefined ? {} : { height: options.height }),
    ...(options.duration === undefined ? {} : { duration: options.duration }),
    via: options.via ?? (bytes.byteLength <= limits.maxJsonUploadBytes ? 'json' : 'session'),
    idempotencyKey: options.idempotencyKey ?? newKey(),
  };
  return continueUpload(ctx, state, bytes, options);
}

export async function resumeUpload(
  ctx: UploadContext,
  state: ResumableUpload,
  source: UploadSource,
  options: ResumeOptions = {},
): Promise<Attachment> {
  const limits = await ctx.limits(options.signal);
  const bytes = await readSource(source, limits.maxUploadBytes);
  if (bytes.byteLength !== state.fileSize || (await sha256Hex(bytes)) !== state.sha256) {
    throw new TypeError('resumeUpload needs the same bytes as the interrupted upload');
  }
  return continueUpload(ctx, structuredClone(state), bytes, options);
}

async function continueUpload(
  ctx: UploadContext,
  state: ResumableUpload,
  bytes: Uint8Array,
  options: ResumeOptions,
): Promise<Attachment> {
  const report = progressReporter(options.onProgress, state.fileSize);
  try {
    if (state.via === 'json') {
      try {
        return await jsonUpload(ctx, state, bytes, options.signal, report);
      } catch (error) {
        if (!refusedByPlatformSize(error, state)) throw error;
        // A gateway in front of the API takes smaller bodies than the API: go direct.
        state.via = 'session';
        state.idempotencyKey = newKey();
      }
    }
    return await sessionUpload(ctx, state, bytes, options.signal, report);
  } catch (error) {
    if (!isInterruption(error)) throw error;
    throw new UploadInterruptedError(
      `Upload of ${state.fileName} interrupted: ${describe(error)}`,
      structuredClone(state),
      { cause: error },
    );
  }
}

async function jsonUpload(
  ctx: UploadContext,
  state: ResumableUpload,
  bytes: Uint8Array,
  signal: AbortSignal | undefined,
  report: (sent: number) => void,
): Promise<Attachment> {
  const { data } = await ctx.transport.api<Attachment>({
    method: 'POST',
    path: '/api/v1/media',
    body: { ...declared(state), fileData: base64Of(bytes) },
    idempotencyKey: state.idempotencyKey,
    signal,
    // The body is base64 JSON: count the file's share of it.
    onBodyProgress: (sent, total) => report(Math.floor((sent / total) * state.fileSize)),
  });
  report(state.fileSize);
  return data;
}

async function sessionUpload(
  ctx: UploadContext,
  state: ResumableUpload,
  bytes: Uint8Array,
  signal: AbortSignal | undefined,
  report: (sent: number) => void,
): Promise<Attachment> {
  let restarted = false;
  let resent = false;
  for (;;) {
    state.session ??= await createSession(ctx, state, signal);
    const session = state.session;
    // With an expired URL the bytes may still have arrived before: completing tells.
    if (!session.sent && Date.now() < session.expiresAt) {
      await putBytes(ctx, session, bytes, signal, report);
      session.sent = true;
    }
    try {
      const { data } = await ctx.transport.api<Attachment>({
        method: 'POST',
        path: `/api/v1/media/uploads/${encodeURIComponent(session.uploadId)}/complete`,
        // Completing twice answers the same attachment.
        replaySafe: true,
        signal,
      });
      report(state.fileSize);
      return data;
    } catch (error) {
      const urlValid = Date.now() < session.expiresAt;
      if (nothingUploaded(error) && urlValid && !resent) {
        resent = true;
        session.sent = false;
        continue;
      }
      if ((sessionGone(error) || nothingUploaded(error) || arrivedDamaged(error)) && !restarted) {
        restarted = true;
        state.session = undefined;
        state.idempotencyKey = newKey();
        continue;
      }
      throw error;
    }
  }
}

async function createSession(
  ctx: UploadContext,
  state: ResumableUpload,
  signal: AbortSignal | undefined,
): Promise<NonNullable<ResumableUpload['session']>> {
  const { data } = await ctx.transport.api<UploadSession>({
    method: 'POST',
    path: '/api/v1/media/uploads',
    body: { ...declared(state), fileSize: state.fileSize, sha256: state.sha256 },
    idempotencyKey: state.idempotencyKey,
    signal,
  });
  return { ...data, sent: false };
}

async function putBytes(
  ctx: UploadContext,
  session: NonNullable<ResumableUpload['session']>,
  bytes: Uint8Array,
  signal: AbortSignal | undefined,
  report: (sent: number) => void,
): Promise<void> {
  const url = new URL(session.uploadUrl);
  const response = await ctx.transport.send(url, {
    method: session.method,
    // The same bytes to the same key: repeating the PUT is harmless.
    replaySafe: true,
    signal,
    init: () => {
      // The session's headers only: a presigned URL carries its own authorisation.
      const headers = new Headers(session.headers);
      return { headers, ...ctx.transport.body(bytes, headers, (sent) => report(sent)) };
    },
  });
  await throwUnlessOk(response);
}

/** Storage answers a PUT with an empty (or XML) body: only its status matters. */
async function throwUnlessOk(response: Response): Promise<void> {
  if (!response.ok) await readJson(response);
  await response.body?.cancel().catch(() => {});
}

function declared(state: ResumableUpload) {
  return {
    postId: state.postId,
    fileName: state.fileName,
    mimeType: state.mimeType,
    ...(state.width === undefined ? {} : { width: state.width }),
    ...(state.height === undefined ? {} : { height: state.height }),
    ...(state.duration === undefined ? {} : { duration: state.duration }),
  };
}

/** `413` without the API's own limit above the file: a gateway's body limit, not the API's. */
function refusedByPlatformSize(error: unknown, state: ResumableUpload): boolean {
  if (!(error instanceof MediaApiError) || error.status !== 413) return false;
  const limit = Number(error.details?.limitBytes);
  return !Number.isFinite(limit) || limit >= state.fileSize;
}

/** "Nothing has been uploaded for session … yet" (the session stays open). */
function nothingUploaded(error: unknown): boolean {
  return (
    error instanceof MediaApiError && error.status === 400 && error.details?.field === 'uploadId'
  );
}

/**
 * The staged bytes do not match the size or checksum declared, although they were computed
 * from the very bytes sent: a transfer was cut short (a local S3 server keeps a truncated
 * object; S3 itself refuses a body shorter than the signed length). The session is refused for
 * good, so only a new one can take the file.
 */
function arrivedDamaged(error: unknown): boolean {
  return (
    error instanceof MediaApiError &&
    error.status === 400 &&
    (error.details?.field === 'fileSize' || error.details?.field === 'sha256')
  );
}

/** The session expired or is unknown: only a new one can take the file. */
function sessionGone(error: unknown): boolean {
  return error instanceof MediaApiError && error.status === 404;
}

/** Worth resuming: the network, an outage, a rate limit, the caller's abort; not a refusal. */
function isInterruption(error: unknown): boolean {
  if (error instanceof MediaApiError) {
    return error.status === 408 || error.status === 429 || error.status >= 500;
  }
  return !(error instanceof TypeError && /^(upload|resumeUpload) needs/.test(error.message));
}

function describe(error: unknown): string {
  if (isAbortError(error)) return 'aborted';
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

function progressReporter(
  onProgress: ((progress: UploadProgress) => void) | undefined,
  totalBytes: number,
): (sent: number) => void {
  if (!onProgress) return () => {};
  let last = -1;
  return (bytesSent) => {
    if (bytesSent === last) return;
    last = bytesSent;
    onProgress({ bytesSent, totalBytes });
  };
}

const newKey = (): string => crypto.randomUUID();
