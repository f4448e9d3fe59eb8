/**
 * The upload allowlist of media-api.md §2, in one table: every accepted MIME type, the kind of
 * file it is, the type we store it as and the extension its URL gets. The extension always
 * comes from here, never from the client's file name, so a `.html` name cannot reach storage.
 */
import { UnsupportedMediaTypeError } from '../errors.ts';
import type { FileType } from './types.ts';

interface TableRow {
  readonly fileType: FileType;
  readonly extension: string;
  /** Human name used in the "allowed types" error message. */
  readonly label: string;
  /** Other names clients send for the same format (legacy, vendor or misspelt types). */
  readonly aliases: readonly string[];
}

const TABLE = {
  'image/jpeg': {
    fileType: 'image',
    extension: 'jpg',
    label: 'JPEG',
    aliases: ['image/jpg', 'image/pjpeg'],
  },
  'image/png': {
    fileType: 'image',
    extension: 'png',
    label: 'PNG',
    aliases: ['image/x-png', 'image/apng'],
  },
  'image/gif': { fileType: 'image', extension: 'gif', label: 'GIF', aliases: [] },
  'image/webp': { fileType: 'image', extension: 'webp', label: 'WebP', aliases: [] },
  'image/avif': { fileType: 'image', extension: 'avif', label: 'AVIF', aliases: [] },
  'image/heic': {
    fileType: 'image',
    extension: 'heic',
    label: 'HEIC/HEIF',
    aliases: ['image/heif'],
  },
  'image/svg+xml': { fileType: 'image', extension: 'svg', label: 'SVG', aliases: [] },
  'audio/mpeg': {
    fileType: 'audio',
    extension: 'mp3',
    label: 'MP3',
    aliases: ['audio/mp3', 'audio/mpeg3', 'audio/x-mp3', 'audio/x-mpeg'],
  },
  'audio/mp4': {
    fileType: 'audio',
    extension: 'm4a',
    label: 'M4A',
    aliases: ['audio/x-m4a', 'audio/m4a'],
  },
  'audio/wav': {
    fileType: 'audio',
    extension: 'wav',
    label: 'WAV',
    aliases: ['audio/x-wav', 'audio/wave', 'audio/vnd.wave'],
  },
  'audio/ogg': { fileType: 'audio', extension: 'ogg', label: 'OGG', aliases: [] },
  'audio/opus': { fileType: 'audio', extension: 'opus', label: 'Opus', aliases: [] },
  'audio/flac': { fileType: 'audio', extension: 'flac', label: 'FLAC', aliases: ['audio/x-flac'] },
  'audio/aac': {
    fileType: 'audio',
    extension: 'aac',
    label: 'AAC',
    aliases: ['audio/x-aac', 'audio/aacp'],
  },
  'audio/aiff': { fileType: 'audio', extension: 'aiff', label: 'AIFF', aliases: ['audio/x-aiff'] },
  'application/pdf': { fileType: 'document', extension: 'pdf', label: 'PDF', aliases: [] },
  // Lottie has no registered type of its own; the content check in inspect.ts makes sure
  // plain JSON is not accepted as an animation.
  'application/json': {
    fileType: 'lottie',
    extension: 'json',
    label: 'Lottie JSON',
    aliases: ['application/lottie+json'],
  },
} as const satisfies Record<string, TableRow>;

export type CanonicalMimeType = keyof typeof TABLE;

export interface MediaTypeEntry {
  readonly fileType: FileType;
  readonly canonicalMimeType: CanonicalMimeType;
  readonly extension: string;
}

/** Every accepted type, canonical first, for callers that need to list them. */
export const MEDIA_TYPES: readonly MediaTypeEntry[] = Object.entries(TABLE).map(
  ([canonicalMimeType, row]) => ({
    fileType: row.fileType,
    canonicalMimeType: canonicalMimeType as CanonicalMimeType,
    extension: row.extension,
  }),
);

const BY_NAME: ReadonlyMap<string, MediaTypeEntry> = new Map(
  MEDIA_TYPES.flatMap((entry) => [
    [entry.canonicalMimeType, entry] as const,
    ...TABLE[entry.canonicalMimeType].aliases.map((alias) => [alias, entry] as const),
  ]),
);

/**
 * 3D formats whose MIME types are not under `model/` (STL, 3MF, FBX, Blender). They get the
 * "use the web interface" answer too. `application/octet-stream` is deliberately absent: it
 * says nothing about the content, so it is simply unsupported.
 */
const OTHER_3D_TYPES: ReadonlySet<string> = new Set([
  'application/sla',
  'application/vnd.ms-pki.stl',
  'application/vnd.ms-3mfdocument',
  'application/x-fbx',
  'application/x-blender',
]);

/** `Image/PNG; charset=binary` → `image/png`: parameters and case carry no type information. */
export function normaliseMimeType(mimeType: string): string {
  return (mimeType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/** Built from the table so the message never disagrees with what is accepted. */
function allowedKindsText(): string {
  const labels = (fileType: FileType) =>
    Object.values(TABLE)
      .filter((row) => row.fileType === fileType)
      .map((row) => row.label)
      .join(', ');
  return `images (${labels('image')}), audio (${labels('audio')}), documents (${labels('document')}) and Lottie animations (application/json or application/lottie+json)`;
}

/**
 * The allowlist entry for a declared `mimeType`, or a 415 explaining why not. Video and 3D
 * models get their own message because the product does accept them, just not via the API.
 */
export function resolveDeclaredType(mimeType: string): MediaTypeEntry {
  const name = normaliseMimeType(mimeType);
  const entry = BY_NAME.get(name);
  if (entry) return entry;

  if (name.startsWith('video/')) {
    throw new UnsupportedMediaTypeError(
      "Video files can't be uploaded through the API; use the web interface.",
    );
  }
  if (name.startsWith('model/') || OTHER_3D_TYPES.has(name)) {
    throw new UnsupportedMediaTypeError(
      "3D model files can't be uploaded through the API; use the web interface.",
    );
  }
  // The declared type is echoed (cut short) so the client sees what we understood.
  const what =
    name === '' ? 'Files without a type are' : `Files of type "${name.slice(0, 100)}" are`;
  throw new UnsupportedMediaTypeError(`${what} not supported. Allowed: ${allowedKindsText()}.`);
}
