/**
 * Binary formats (images, audio, PDF): magic bytes via file-type must agree with the declared
 * type, then metadata comes from image-size / music-metadata.
 */
import { UnsupportedMediaTypeError } from '../errors.ts';
import { audioInfo } from './audio.ts';
import { type Detected, detect, mismatch } from './detect.ts';
import { ascii, ftypBrands } from './heif.ts';
import { imageDimensions } from './image.ts';
import { type Dimensions, NO_DIMENSIONS } from './measurements.ts';
import type { CanonicalMimeType, MediaTypeEntry } from './media-types.ts';

type BinaryMimeType = Exclude<CanonicalMimeType, 'image/svg+xml' | 'application/json'>;

/**
 * What file-type may report for each declared format. file-type names containers, not always
 * the format a client declares, hence the families:
 * - PNG: animated PNGs are reported as image/apng.
 * - HEIC/HEIF: the major brand decides (heic → image/heic, mif1 → image/heif, sequences).
 * - M4A: brand `M4A ` → audio/x-m4a, `M4B `/`F4A ` → audio/mp4, and any other MP4 brand
 *   (isom, mp42 …, common for audio-only exports) → video/mp4, which is then only accepted
 *   when the file has an audio track and no video track.
 * - Opus is an Ogg container: reported as `audio/ogg; codecs=opus`; Ogg Vorbis/FLAC/Speex
 *   as audio/ogg. Declared audio/ogg accepts both; audio/opus only the Opus one.
 * - MP3: audio/mpeg, also for MPEG layer 1/2 (and for runs of 0xFF bytes, which look like
 *   layer 1 headers); only file-type's `mp3` extension is accepted.
 */
const DETECTED_AS: Record<BinaryMimeType, readonly string[]> = {
  'image/jpeg': ['image/jpeg'],
  'image/png': ['image/png', 'image/apng'],
  'image/gif': ['image/gif'],
  'image/webp': ['image/webp'],
  'image/avif': ['image/avif'],
  'image/heic': ['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence'],
  'audio/mpeg': ['audio/mpeg'],
  'audio/mp4': ['audio/x-m4a', 'audio/mp4', 'video/mp4'],
  'audio/wav': ['audio/wav'],
  'audio/ogg': ['audio/ogg', 'audio/ogg; codecs=opus'],
  'audio/opus': ['audio/ogg; codecs=opus'],
  'audio/flac': ['audio/flac'],
  'audio/aac': ['audio/aac'],
  'audio/aiff': ['audio/aiff'],
  'application/pdf': ['application/pdf'],
};

function matchesDeclared(canonical: BinaryMimeType, detected: Detected, bytes: Uint8Array) {
  if (DETECTED_AS[canonical].includes(detected.mime)) {
    // file-type reports any IFF `FORM` file as AIFF; insist on the AIFF/AIFC form type.
    if (canonical === 'audio/aiff') return ['AIFF', 'AIFC'].includes(ascii(bytes, 8, 12));
    if (canonical === 'audio/mpeg') return detected.ext === 'mp3';
    return true;
  }
  // Some AVIF encoders write the generic `mif1` major brand (file-type: image/heif) and list
  // `avif` only among the compatible brands.
  if (canonical === 'image/avif' && detected.mime === 'image/heif') {
    const brands = ftypBrands(bytes);
    return brands.has('avif') || brands.has('avis');
  }
  return false;
}

export async function inspectBinary(
  bytes: Uint8Array,
  entry: MediaTypeEntry,
  declared: string,
  options: { audioParseBudgetMs: number },
): Promise<Dimensions & { duration: number | null }> {
  const canonical = entry.canonicalMimeType as BinaryMimeType;
  const detected = await detect(bytes);
  if (!detected || !matchesDeclared(canonical, detected, bytes)) {
    throw mismatch(declared, detected);
  }
  if (entry.fileType === 'image') {
    return { ...(await imageDimensions(bytes, canonical)), duration: null };
  }
  if (entry.fileType === 'audio') {
    const audio = await audioInfo(bytes, detected.mime, options.audioParseBudgetMs);
    // An MP4 container declared as M4A must really be audio: video goes through the web UI.
    const isVideo = audio?.hasVideo === true || (detected.mime === 'video/mp4' && !audio?.hasAudio);
    if (canonical === 'audio/mp4' && isVideo) {
      throw new UnsupportedMediaTypeError(
        `The file content is video/mp4, but mimeType says ${declared}. Video files can't be uploaded through the API; use the web interface.`,
      );
    }
    return { ...NO_DIMENSIONS, duration: audio?.duration ?? null };
  }
  return { ...NO_DIMENSIONS, duration: null };
}
