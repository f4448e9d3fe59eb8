/**
 * Image width/height as displayed, read from headers only (no pixel decoding), so a
 * 20000×20000 "image bomb" costs nothing here. image-size is loaded on the first image.
 */
import { heifPrimaryDimensions } from './heif.ts';
import { type Dimensions, NO_DIMENSIONS, pixels } from './measurements.ts';
import type { CanonicalMimeType } from './media-types.ts';

/** Loaded on first use, once (a dynamic `import()` resolves its specifier on every call). */
let imageSizeModule: Promise<typeof import('image-size')> | undefined;

export async function imageDimensions(
  bytes: Uint8Array,
  canonical: CanonicalMimeType,
): Promise<Dimensions> {
  // image-size reports the first `ispe` box of a HEIF file, which is often a grid tile or a
  // thumbnail; the primary item's properties give the real picture size.
  if (canonical === 'image/heic' || canonical === 'image/avif') {
    const primary = heifPrimaryDimensions(bytes);
    if (primary) return primary;
  }
  imageSizeModule ??= import('image-size');
  const { imageSize } = await imageSizeModule;
  try {
    const size = imageSize(bytes);
    if (size.images && size.images.length > 1) return NO_DIMENSIONS; // ambiguous, see above
    // EXIF orientations 5–8 rotate by 90°: report the size as displayed.
    const rotated = size.orientation !== undefined && size.orientation >= 5;
    const width = pixels(rotated ? size.height : size.width);
    const height = pixels(rotated ? size.width : size.height);
    return width && height ? { width, height } : NO_DIMENSIONS;
  } catch {
    return NO_DIMENSIONS;
  }
}
