/**
 * The `fileData` field: base64, optionally behind a `data:<mime>;base64,` prefix. The decoded
 * size is known from the length alone, so an oversized upload is refused before any decoding.
 */
import { PayloadTooLargeError, ValidationError } from '../../errors.ts';

const DATA_URL = /^data:[^,]{0,255};base64,/i;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The base64 payload without a data-URL prefix. */
export function base64Payload(fileData: string): string {
  if (!fileData.startsWith('data:')) return fileData;
  const prefix = DATA_URL.exec(fileData.slice(0, 300));
  if (!prefix) {
    throw ValidationError.forField(
      'fileData',
      'fileData: a data URL must be base64 (data:<mime>;base64,…)',
    );
  }
  return fileData.slice(prefix[0].length);
}

/** Exact decoded size of well-formed base64 of this length (padding included or not). */
export function decodedLength(base64: string): number {
  let padding = 0;
  if (base64.endsWith('==')) padding = 2;
  else if (base64.endsWith('=')) padding = 1;
  const chars = base64.length - padding;
  return Math.floor((chars * 3) / 4);
}

/**
 * The largest file any upload may carry (`MEDIA_MAX_UPLOAD_BYTES`). No advice to use an upload
 * session here: sessions have the same limit.
 */
export function assertWithinLimit(base64: string, limitBytes: number): void {
  const size = decodedLength(base64);
  if (size > limitBytes) {
    throw new PayloadTooLargeError(
      `The file is ${size} bytes; the limit is ${limitBytes} bytes.`,
      limitBytes,
      size,
    );
  }
}

/** Characters decoded per step: a multiple of 4, so every step ends on a base64 quantum. */
const DECODE_CHUNK_CHARS = 4 * 1024 * 1024;

/**
 * Decodes into one buffer of the exact size, a few MB of text at a time: `Buffer.from(text,
 * 'base64')` on the whole string would first make a temporary copy as large as the text.
 */
export function decodeBase64(base64: string): Buffer {
  if (base64.length % 4 === 1 || !BASE64.test(base64)) {
    throw ValidationError.forField('fileData', 'fileData: is not valid base64');
  }
  const bytes = Buffer.allocUnsafe(decodedLength(base64));
  let written = 0;
  for (let start = 0; start < base64.length; start += DECODE_CHUNK_CHARS) {
    written += bytes.write(base64.slice(start, start + DECODE_CHUNK_CHARS), written, 'base64');
  }
  if (written === 0) throw ValidationError.forField('fileData', 'fileData: the file is empty');
  return bytes.subarray(0, written);
}
