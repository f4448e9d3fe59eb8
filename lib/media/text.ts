/**
 * Shared by the text formats (SVG, Lottie), which are checked structurally because file-type
 * cannot tell them apart from other XML/JSON.
 */
import { UnsupportedMediaTypeError } from '../errors.ts';
import { detect, mismatch } from './detect.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeText(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes); // also drops a leading BOM
  } catch {
    return null; // not UTF-8: binary data or an encoding we do not accept
  }
}

/** For the 415 message: name a binary type when the bytes are one. */
export async function textMismatch(bytes: Uint8Array, declared: string, what: string) {
  const detected = await detect(bytes);
  return detected
    ? mismatch(declared, detected)
    : new UnsupportedMediaTypeError(
        `The file content is not ${what}, but mimeType says ${declared}.`,
      );
}
