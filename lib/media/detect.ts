/**
 * What the bytes say they are, according to their magic numbers (file-type), and the 415
 * message when that is not what the client declared. file-type is loaded on the first
 * inspection, not when the function starts (≈ 8 ms of its cold start otherwise).
 */
import { UnsupportedMediaTypeError } from '../errors.ts';

export interface Detected {
  mime: string;
  ext: string;
}

/** Loaded once: a dynamic `import()` resolves its specifier again on every call (≈ 1 ms). */
let fileType: Promise<typeof import('file-type')> | undefined;

export async function detect(bytes: Uint8Array): Promise<Detected | undefined> {
  fileType ??= import('file-type');
  const { fileTypeFromBuffer } = await fileType;
  try {
    return await fileTypeFromBuffer(bytes);
  } catch {
    // A parser error on garbage is the same as "not recognised".
    return undefined;
  }
}

export function mismatch(
  declared: string,
  detected: Detected | undefined,
): UnsupportedMediaTypeError {
  if (!detected) {
    return new UnsupportedMediaTypeError(
      `The file content is not a valid ${declared} file (its type could not be recognised).`,
    );
  }
  // Same MIME type, other format (MP2 as audio/mpeg): the extension tells them apart.
  const what = detected.mime === declared ? `${detected.mime} (.${detected.ext})` : detected.mime;
  return new UnsupportedMediaTypeError(
    `The file content is ${what}, but mimeType says ${declared}.`,
  );
}
