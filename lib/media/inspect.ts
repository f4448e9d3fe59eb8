/**
 * Checks that uploaded bytes are what the declared `mimeType` says (media-api.md §2: mismatch
 * is 415) and reads width/height/duration from the file itself. Everything here must survive
 * hostile input: parsers only ever read headers (no pixel decoding), every library call is
 * guarded, and a metadata failure on a correctly identified file means "unknown" (null).
 *
 * This module only dispatches on the declared type: `binary.ts` (magic bytes, then image-size /
 * music-metadata via `image.ts`, `heif.ts`, `audio.ts`), `svg.ts` and `lottie.ts`.
 */
import { UnsupportedMediaTypeError } from '../errors.ts';
import { inspectBinary } from './binary.ts';
import { inspectLottie } from './lottie.ts';
import { type CanonicalMimeType, normaliseMimeType, resolveDeclaredType } from './media-types.ts';
import { inspectSvg } from './svg.ts';
import type { FileType } from './types.ts';

export interface InspectedMedia {
  fileType: FileType;
  /** The canonical type of the declared `mimeType` (aliases resolved). */
  mimeType: CanonicalMimeType;
  extension: string;
  width: number | null;
  height: number | null;
  /** Seconds, rounded to milliseconds. */
  duration: number | null;
}

export interface InspectOptions {
  /**
   * CPU time music-metadata may spend on one file before its duration counts as unknown.
   * Its MPEG frame-sync search costs ~3 s per MB of crafted input (e.g. a valid MP3 header
   * followed by 0xFF bytes), so without a budget one 50 MB upload could burn minutes.
   * Legitimate worst case seen: 50 MB of ADTS AAC in ~2.5 s.
   */
  audioParseBudgetMs?: number;
}

const DEFAULT_AUDIO_PARSE_BUDGET_MS = 5_000;

export async function inspectMedia(
  bytes: Uint8Array,
  declaredMimeType: string,
  options: InspectOptions = {},
): Promise<InspectedMedia> {
  const entry = resolveDeclaredType(declaredMimeType);
  // Messages name the type as the client sent it (minus parameters), not our canonical one.
  const declared = normaliseMimeType(declaredMimeType);
  if (bytes.length === 0) {
    throw new UnsupportedMediaTypeError(
      `The file is empty, so it is not a valid ${declared} file.`,
    );
  }
  const base = {
    fileType: entry.fileType,
    mimeType: entry.canonicalMimeType,
    extension: entry.extension,
  };
  switch (entry.canonicalMimeType) {
    case 'image/svg+xml':
      return { ...base, ...(await inspectSvg(bytes, declared)), duration: null };
    case 'application/json':
      return { ...base, ...(await inspectLottie(bytes, declared)) };
    default:
      return {
        ...base,
        ...(await inspectBinary(bytes, entry, declared, {
          audioParseBudgetMs: options.audioParseBudgetMs ?? DEFAULT_AUDIO_PARSE_BUDGET_MS,
        })),
      };
  }
}
