/** The fixtures of `test/fixtures/previews/` (see its generate.sh) and how tests read them. */
import { readFileSync } from 'node:fs';
import ExifReader from 'exifreader';

const PREVIEWS = new URL('../fixtures/previews/', import.meta.url);

/** A fresh copy each time: location removal edits its input in place. */
export const previewFixture = (file: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(file, PREVIEWS)));

/** Every fixture carrying GPS metadata, with its stored type. */
export const GPS_FIXTURES = [
  { file: 'photo-640x480-gps-rotated.jpg', mimeType: 'image/jpeg' },
  { file: 'xmp-gps.jpg', mimeType: 'image/jpeg' },
  { file: 'gps-64x48.png', mimeType: 'image/png' },
  { file: 'gps-640x480.webp', mimeType: 'image/webp' },
  { file: 'gps-640x480.avif', mimeType: 'image/avif' },
  { file: 'photo-640x480-gps-rotated.heic', mimeType: 'image/heic' },
] as const;

/**
 * What a maintained EXIF/XMP parser (ExifReader) finds about where a file was made: the GPS
 * group and any XMP property named GPS…; `{}` when there is nothing.
 */
export function locationOf(bytes: Uint8Array): Record<string, unknown> {
  const tags = ExifReader.load(Buffer.from(bytes), { expanded: true });
  const found: Record<string, unknown> = { ...(tags.gps ?? {}) };
  for (const [name, tag] of Object.entries(tags.xmp ?? {})) {
    if (name.startsWith('GPS')) found[`xmp:${name}`] = tag.description;
  }
  return found;
}

/** EXIF orientation (1–8), or null when the file has none. */
export function exifOrientationOf(bytes: Uint8Array): number | null {
  const tags = ExifReader.load(Buffer.from(bytes), { expanded: true });
  const value = tags.exif?.Orientation?.value;
  return typeof value === 'number' ? value : null;
}
