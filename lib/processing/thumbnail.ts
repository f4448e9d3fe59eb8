/**
 * Thumbnails with sharp (libvips): WebP, longest side 512 px, never upscaled, EXIF orientation
 * applied, first frame of an animation. sharp decodes JPEG, PNG, GIF, WebP and AVIF itself;
 * HEIC/HEIF is decoded to pixels by libheif in WebAssembly (`lib/media/heic-decode.ts`, sharp's
 * prebuilt libvips has no HEVC decoder), and the first page of a PDF is drawn by PDFium in
 * WebAssembly (`lib/media/pdf-render.ts`); both then take the same path. SVG would mean
 * rendering client-supplied markup, and audio and Lottie have no picture to shrink.
 *
 * Every input is hostile: the pixel limit refuses an "image bomb" (a small file that declares
 * 20000×20000 pixels) from its header, before anything is decoded; the timeout bounds the CPU
 * time of one image; corrupt data aborts instead of producing garbage. A refused image simply
 * gets no thumbnail.
 */
import type { Sharp, SharpOptions } from 'sharp';
import type { DecodedPicture } from '../media/decoded-picture.ts';
import { decodeHeif } from '../media/heic-decode.ts';
import { type PdfLimits, renderPdfFirstPage } from '../media/pdf-render.ts';
import { loadSharp } from './sharp.ts';

export const THUMBNAIL_MAX_SIDE = 512;
export const THUMBNAIL_MIME_TYPE = 'image/webp';

/**
 * 100 megapixels (10000×10000): above any phone or camera photo of today (48–61 MP). Decoding
 * a picture this size while shrinking it peaks around 200 MB with sequential reads.
 */
export const MAX_INPUT_PIXELS = 100_000_000;
/**
 * HEIC is decoded whole in WebAssembly (YCbCr planes, then RGBA, then a copy for sharp): about
 * 15 bytes a pixel at the peak (bench: 12 MP → 361 MB, 48 MP → 816 MB peak RSS), so 100 MP would
 * not fit the processing function. 64 MP holds every phone's full-resolution HEIC (48 MP).
 */
export const MAX_HEIC_PIXELS = 64_000_000;
const TIMEOUT_SECONDS = 30;
/**
 * Page 1 is drawn at twice the thumbnail's side, so text stays legible once sharp shrinks it.
 * A page takes well under a second (bench: `npm run bench -- --only=decode`); one that needs
 * 15 s is not worth a thumbnail. The heap cap leaves room for a 50 MB document (the upload
 * limit) and keeps PDFium well inside the processing function's memory.
 */
export const PDF_LIMITS: PdfLimits = {
  longestSide: THUMBNAIL_MAX_SIDE * 2,
  timeoutMs: 15_000,
  maxHeapBytes: 256 * 1024 * 1024,
};

/** How the picture of each type with a thumbnail becomes pixels sharp can take. */
const DECODERS: Readonly<
  Record<string, 'sharp' | ((bytes: Uint8Array) => Promise<DecodedPicture>)>
> = {
  'image/jpeg': 'sharp',
  'image/png': 'sharp',
  'image/gif': 'sharp',
  'image/webp': 'sharp',
  'image/avif': 'sharp',
  'image/heic': (bytes) => decodeHeif(bytes, MAX_HEIC_PIXELS),
  'application/pdf': (bytes) => renderPdfFirstPage(bytes, PDF_LIMITS),
};

/** True for the stored (canonical) MIME types that get a thumbnail. */
export const hasThumbnail = (mimeType: string): boolean => Object.hasOwn(DECODERS, mimeType);

export interface Thumbnail {
  webp: Uint8Array;
  width: number;
  height: number;
  /** The source picture as displayed (orientation applied). */
  source: { width: number; height: number };
}

export type ThumbnailResult =
  | { kind: 'made'; thumbnail: Thumbnail }
  /** The image could not be used (too large, corrupt, too slow); `reason` is for the logs. */
  | { kind: 'refused'; reason: string };

const decodeOptions = {
  limitInputPixels: MAX_INPUT_PIXELS,
  // Warnings (odd but decodable data) do not abort; errors (corrupt data) do.
  failOn: 'error',
  autoOrient: true,
  sequentialRead: true,
  // The first frame of an animation (GIF, animated WebP/PNG).
  pages: 1,
} as const satisfies SharpOptions;

export async function makeThumbnail(bytes: Uint8Array, mimeType: string): Promise<ThumbnailResult> {
  try {
    const image = await sharpInput(bytes, mimeType);
    const metadata = await image.metadata();
    const { data, info } = await image
      .resize(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .timeout({ seconds: TIMEOUT_SECONDS })
      .toBuffer({ resolveWithObject: true });
    return {
      kind: 'made',
      thumbnail: {
        webp: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        width: info.width,
        height: info.height,
        source: { width: metadata.autoOrient.width, height: metadata.autoOrient.height },
      },
    };
  } catch (error) {
    return { kind: 'refused', reason: (error as Error).message };
  }
}

/** sharp on the file itself, or on the pixels another decoder made of it. */
async function sharpInput(bytes: Uint8Array, mimeType: string): Promise<Sharp> {
  const decoder = DECODERS[mimeType];
  if (decoder === undefined) throw new Error(`no thumbnail for ${mimeType}`);
  const sharp = await loadSharp();
  if (decoder === 'sharp') return sharp(bytes, decodeOptions);
  const picture = await decoder(bytes);
  return sharp(picture.rgba, {
    ...decodeOptions,
    raw: { width: picture.width, height: picture.height, channels: 4 },
  });
}
