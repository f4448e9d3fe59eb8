/**
 * Reading a request body under a size limit, so an oversized upload is refused with 413 as
 * soon as its Content-Length (or the bytes received) say so, without buffering it.
 */
import type { IncomingMessage } from 'node:http';

const DEFAULT_MAX_UPLOAD_BYTES = 52_428_800;
const JSON_OVERHEAD_BYTES = 1_048_576;

/**
 * The base64 size of the largest upload plus 1 MiB for the rest of the JSON: the biggest body a
 * valid JSON upload can have. `maxUploadBytes` defaults to `MEDIA_MAX_UPLOAD_BYTES` (50 MB).
 */
export function defaultMaxBodyBytes(maxUploadBytes?: number): number {
  let upload = maxUploadBytes;
  if (upload === undefined) {
    const fromEnv = Number(process.env.MEDIA_MAX_UPLOAD_BYTES);
    upload = Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_UPLOAD_BYTES;
  }
  return 4 * Math.ceil(upload / 3) + JSON_OVERHEAD_BYTES;
}

export type BodyOutcome =
  | { kind: 'complete'; body: Buffer }
  | { kind: 'too_large'; sizeBytes: number | null }
  | { kind: 'aborted' };

/** Reads the body up to `limit` bytes; stops (without consuming the rest) once it is exceeded. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyOutcome> {
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    const size = Number(declared);
    if (Number.isSafeInteger(size) && size > limit) {
      return Promise.resolve({ kind: 'too_large', sizeBytes: size });
    }
  }
  if (req.complete && req.readableEnded)
    return Promise.resolve({ kind: 'complete', body: Buffer.alloc(0) });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        req.pause();
        chunks.length = 0;
        // Without a Content-Length the full size is unknown: report what arrived so far.
        finish({ kind: 'too_large', sizeBytes: received });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ kind: 'complete', body: Buffer.concat(chunks, received) });
    const onClose = () => {
      if (!req.complete) finish({ kind: 'aborted' });
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}
