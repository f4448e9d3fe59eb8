/**
 * Location privacy for stored originals (media-api.md "Location privacy"): GPS metadata is
 * removed from JPEG, PNG, WebP, AVIF and HEIC files without re-encoding the pixels. Each
 * container is walked just far enough to find its EXIF and XMP blocks, and those are edited in
 * place without changing any length (`exif-gps.ts`, `xmp-gps.ts`), so every offset in the file
 * (JPEG segments, PNG/WebP chunks, HEIF `iloc` item locations) stays valid; only PNG needs its
 * chunk checksum recomputed.
 *
 * Why not a library: none in pure JS edits all five containers losslessly. sharp re-encodes the
 * pixels; piexifjs and exif-be-gone handle JPEG (and PNG) only and drop all metadata, including
 * the orientation a photo needs; ExifTool compiled to WebAssembly does everything but would add
 * megabytes and a Perl interpreter's start-up to the upload path's cold start.
 *
 * Not covered (reported as nothing removed): location in PNG text chunks written by ImageMagick
 * (`Raw profile type exif`, usually compressed), in Extended XMP, and in multi-extent HEIF items.
 */
import { crc32 } from 'node:zlib';
import { ascii, boxes } from '../heif.ts';
import type { CanonicalMimeType } from '../media-types.ts';
import { removeExifGps } from './exif-gps.ts';
import { removeXmpGps } from './xmp-gps.ts';

/** What can be removed from a stored original (the attachment's `metadataRemoved`). */
export const REMOVABLE_METADATA = ['location'] as const;
export type RemovedMetadata = (typeof REMOVABLE_METADATA)[number];

type Editor = (bytes: Uint8Array) => boolean;

const EDITORS: Partial<Record<CanonicalMimeType, Editor>> = {
  'image/jpeg': editJpeg,
  'image/png': editPng,
  'image/webp': editWebp,
  'image/avif': editHeif,
  'image/heic': editHeif,
};

/** True for the stored types whose location metadata is removed. */
export const mayCarryLocation = (mimeType: string): boolean => mimeType in EDITORS;

/**
 * Removes location metadata from `bytes` IN PLACE (the caller's buffer is edited: no copy of a
 * 50 MB file) and says what was removed. Malformed containers are left as they are.
 */
export function removeLocation(bytes: Uint8Array, mimeType: string): RemovedMetadata[] {
  const editor = EDITORS[mimeType as CanonicalMimeType];
  if (!editor) return [];
  try {
    return editor(bytes) ? ['location'] : [];
  } catch {
    return []; // a read past a truncated structure: nothing was (or could be) found
  }
}

const EXIF_HEADER = 'Exif\0\0';
const XMP_HEADER = 'http://ns.adobe.com/xap/1.0/\0';

/** A block that may start with the `Exif\0\0` header (JPEG APP1 style) or directly with TIFF. */
function editExifBlock(block: Uint8Array): boolean {
  const skip = ascii(block, 0, 6) === EXIF_HEADER ? 6 : 0;
  return removeExifGps(block.subarray(skip));
}

/** Segments from SOI up to the start of the scan (SOS): APP1 holds EXIF and XMP. */
function editJpeg(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let removed = false;
  let pos = 2;
  while (pos + 4 <= bytes.length && bytes[pos] === 0xff) {
    const marker = bytes[pos + 1] as number;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image
    const end = pos + 2 + view.getUint16(pos + 2);
    if (end > bytes.length) break;
    const payload = bytes.subarray(pos + 4, end);
    if (marker === 0xe1) {
      if (ascii(payload, 0, 6) === EXIF_HEADER) removed = editExifBlock(payload) || removed;
      else if (ascii(payload, 0, XMP_HEADER.length) === XMP_HEADER) {
        removed = removeXmpGps(payload.subarray(XMP_HEADER.length)) || removed;
      }
    }
    pos = end;
  }
  return removed;
}

/** `eXIf` chunks and uncompressed XMP `iTXt` chunks; an edited chunk gets its CRC again. */
function editPng(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let removed = false;
  for (let pos = 8; pos + 12 <= bytes.length; ) {
    const length = view.getUint32(pos);
    const type = ascii(bytes, pos + 4, pos + 8);
    const dataEnd = pos + 8 + length;
    if (dataEnd + 4 > bytes.length) break;
    const data = bytes.subarray(pos + 8, dataEnd);
    let edited = false;
    if (type === 'eXIf') edited = editExifBlock(data);
    else if (type === 'iTXt') edited = editXmpText(data);
    if (edited) {
      view.setUint32(dataEnd, crc32(bytes.subarray(pos + 4, dataEnd)));
      removed = true;
    }
    if (type === 'IEND') break;
    pos = dataEnd + 4;
  }
  return removed;
}

/** iTXt: keyword\0, compression flag, method, language\0, translated keyword\0, text. */
function editXmpText(data: Uint8Array): boolean {
  const keyword = 'XML:com.adobe.xmp\0';
  if (ascii(data, 0, keyword.length) !== keyword) return false;
  let pos = keyword.length;
  if (data[pos] !== 0) return false; // compressed: not edited in place
  pos += 2;
  for (let nul = 0; nul < 2; nul++) {
    const end = data.indexOf(0, pos);
    if (end < 0) return false;
    pos = end + 1;
  }
  return removeXmpGps(data.subarray(pos));
}

/** RIFF chunks of a WebP file: `EXIF` and `XMP `. */
function editWebp(bytes: Uint8Array): boolean {
  if (ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 12) !== 'WEBP') return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let removed = false;
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    const type = ascii(bytes, pos, pos + 4);
    const size = view.getUint32(pos + 4, true);
    const end = pos + 8 + size;
    if (end > bytes.length) break;
    const data = bytes.subarray(pos + 8, end);
    if (type === 'EXIF') removed = editExifBlock(data) || removed;
    else if (type === 'XMP ') removed = removeXmpGps(data) || removed;
    pos = end + (size % 2); // chunks are padded to an even size
  }
  return removed;
}

/**
 * HEIC/AVIF: the `Exif` and XMP (`mime`, `application/rdf+xml`) items of the `meta` box, found
 * through `iinf` (item types) and `iloc` (where their bytes are). An Exif item starts with the
 * 4-byte offset of its TIFF header.
 */
function editHeif(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const meta = boxes(view, 0, bytes.length).find((box) => box.type === 'meta');
  if (!meta) return false;
  const children = boxes(view, meta.body + 4, meta.end);
  const iinf = children.find((box) => box.type === 'iinf');
  const iloc = children.find((box) => box.type === 'iloc');
  if (!iinf || !iloc) return false;
  const idat = children.find((box) => box.type === 'idat');
  const kinds = metadataItems(view, bytes, iinf);
  let removed = false;
  for (const [itemId, extent] of itemExtents(view, iloc, idat?.body ?? 0)) {
    const kind = kinds.get(itemId);
    if (!kind || extent.start + extent.length > bytes.length) continue;
    const item = bytes.subarray(extent.start, extent.start + extent.length);
    if (kind === 'exif') {
      if (item.length < 4) continue;
      const tiffStart = 4 + view.getUint32(extent.start);
      removed = (tiffStart < item.length && editExifBlock(item.subarray(tiffStart))) || removed;
    } else {
      removed = removeXmpGps(item) || removed;
    }
  }
  return removed;
}

/** Item id → 'exif' | 'xmp' for the metadata items listed in `iinf` (infe versions 2 and 3). */
function metadataItems(
  view: DataView,
  bytes: Uint8Array,
  iinf: { body: number; end: number },
): Map<number, 'exif' | 'xmp'> {
  const items = new Map<number, 'exif' | 'xmp'>();
  const version = view.getUint8(iinf.body);
  const first = iinf.body + 4 + (version === 0 ? 2 : 4); // FullBox header, entry count
  for (const infe of boxes(view, first, iinf.end)) {
    if (infe.type !== 'infe') continue;
    const infeVersion = view.getUint8(infe.body);
    if (infeVersion < 2) continue;
    let pos = infe.body + 4;
    const itemId = infeVersion === 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += (infeVersion === 2 ? 2 : 4) + 2; // item id, protection index
    const itemType = ascii(bytes, pos, pos + 4);
    if (itemType === 'Exif') items.set(itemId, 'exif');
    else if (itemType === 'mime') {
      const entry = bytes.subarray(0, infe.end); // searches never leave the entry
      const nameEnd = entry.indexOf(0, pos + 4);
      const typeEnd = nameEnd < 0 ? -1 : entry.indexOf(0, nameEnd + 1);
      if (typeEnd > 0) {
        const contentType = ascii(bytes, nameEnd + 1, typeEnd);
        if (contentType === 'application/rdf+xml') items.set(itemId, 'xmp');
      }
    }
  }
  return items;
}

/**
 * Single-extent items of `iloc` with their absolute position (construction method 0: in the
 * file, 1: in `idat`). Items in several extents are skipped.
 */
function* itemExtents(
  view: DataView,
  iloc: { body: number; end: number },
  idatBody: number,
): Generator<[number, { start: number; length: number }]> {
  const version = view.getUint8(iloc.body);
  let pos = iloc.body + 4;
  const sizes = view.getUint16(pos);
  pos += 2;
  const offsetSize = sizes >> 12;
  const lengthSize = (sizes >> 8) & 0xf;
  const baseOffsetSize = (sizes >> 4) & 0xf;
  const indexSize = version >= 1 ? sizes & 0xf : 0;
  const read = (size: number): number => {
    const value =
      size === 0
        ? 0
        : size === 4
          ? view.getUint32(pos)
          : size === 8
            ? Number(view.getBigUint64(pos))
            : NaN;
    pos += size;
    return value;
  };
  const count = version < 2 ? view.getUint16(pos) : view.getUint32(pos);
  pos += version < 2 ? 2 : 4;
  for (let i = 0; i < count && pos < iloc.end; i++) {
    const itemId = version < 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += version < 2 ? 2 : 4;
    const method = version >= 1 ? view.getUint16(pos) & 0xf : 0;
    if (version >= 1) pos += 2;
    pos += 2; // data reference index
    const base = read(baseOffsetSize);
    const extents = view.getUint16(pos);
    pos += 2;
    const found: { start: number; length: number }[] = [];
    for (let e = 0; e < extents; e++) {
      read(indexSize);
      const offset = read(offsetSize);
      const length = read(lengthSize);
      found.push({ start: base + offset + (method === 1 ? idatBody : 0), length });
    }
    const [only] = found;
    if (
      found.length === 1 &&
      only &&
      (method === 0 || method === 1) &&
      Number.isFinite(only.start)
    ) {
      yield [itemId, only];
    }
  }
}
