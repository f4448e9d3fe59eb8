/**
 * What `upload` accepts and how it becomes bytes: the size and the SHA-256 must be known before
 * the first request (an upload session declares both), so a stream is read to its end first,
 * never past the upload limit. Browser- and Node-safe: Web Crypto, no Buffer.
 */
import { MediaApiError } from './errors.ts';

/** A `File`/`Blob`, bytes, or a stream of bytes (a Node `Readable` is an async iterable). */
export type UploadSource =
  | Blob
  | ArrayBuffer
  | ArrayBufferView
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>;

export async function readSource(source: UploadSource, maxBytes: number): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) {
    return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  }
  if (isBlob(source)) {
    if (source.size > maxBytes) throw tooLarge(maxBytes, source.size);
    return new Uint8Array(await source.arrayBuffer());
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const add = (chunk: Uint8Array | string) => {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    size += bytes.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes, null);
    chunks.push(bytes);
  };
  if (isReadableStream(source)) {
    const reader = source.getReader();
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read()) add(next.value);
    } finally {
      reader.releaseLock();
    }
  } else {
    for await (const chunk of source) add(chunk);
  }
  return concat(chunks, size);
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof (value as ReadableStream | null)?.getReader === 'function';
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The 413 the API would answer, raised before sending what it would refuse. */
function tooLarge(limitBytes: number, sizeBytes: number | null): MediaApiError {
  return new MediaApiError({
    status: 413,
    code: 'payload_too_large',
    message: `The file is larger than the limit of ${limitBytes} bytes.`,
    details: { limitBytes, sizeBytes },
  });
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function base64Of(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep String.fromCharCode's argument list far below engine limits.
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

/**
 * Types by file extension, the default when the caller names none: every type the API accepts,
 * and video and 3D models, which it refuses with its own message (they go through the web
 * interface) rather than the generic one a declared `application/octet-stream` gets.
 */
const MIME_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
  heif: 'image/heif',
  svg: 'image/svg+xml',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/opus',
  flac: 'audio/flac',
  aac: 'audio/aac',
  aif: 'audio/aiff',
  aiff: 'audio/aiff',
  pdf: 'application/pdf',
  json: 'application/json',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  avi: 'video/x-msvideo',
  glb: 'model/gltf-binary',
  gltf: 'model/gltf+json',
  obj: 'model/obj',
  stl: 'model/stl',
  usdz: 'model/vnd.usdz+zip',
};

/**
 * The type to declare when the caller names none: a `File`'s own type, else the one its name's
 * extension stands for, else `application/octet-stream` (which the API refuses with a 415 that
 * lists what it accepts).
 */
export function mimeTypeOf(fileName: string, source?: UploadSource): string {
  if (isBlob(source) && source.type) return source.type;
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  return (extension && MIME_BY_EXTENSION[extension]) || 'application/octet-stream';
}
