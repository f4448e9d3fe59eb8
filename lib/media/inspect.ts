/**
 * Checks that uploaded bytes are what the declared `mimeType` says (media-api.md §2: mismatch
 * is 415) and reads width/height/duration from the file itself. Everything here must survive
 * hostile input: parsers only ever read headers (no pixel decoding), every library call is
 * guarded, and a metadata failure on a correctly identified file means "unknown" (null).
 */
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { parseWebStream } from 'music-metadata';
import { z } from 'zod';
import { UnsupportedMediaTypeError } from '../errors.ts';
import {
  type CanonicalMimeType,
  type MediaTypeEntry,
  normaliseMimeType,
  resolveDeclaredType,
} from './media-types.ts';
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

interface Dimensions {
  width: number | null;
  height: number | null;
}

const NO_DIMENSIONS: Dimensions = { width: null, height: null };

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

// ---------------------------------------------------------------------------------------------
// Binary formats: magic bytes via file-type, then metadata via image-size / music-metadata.

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

interface Detected {
  mime: string;
  ext: string;
}

async function detect(bytes: Uint8Array): Promise<Detected | undefined> {
  try {
    return await fileTypeFromBuffer(bytes);
  } catch {
    // A parser error on garbage is the same as "not recognised".
    return undefined;
  }
}

function mismatch(declared: string, detected: Detected | undefined): UnsupportedMediaTypeError {
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

async function inspectBinary(
  bytes: Uint8Array,
  entry: MediaTypeEntry,
  declared: string,
  options: Required<InspectOptions>,
): Promise<Dimensions & { duration: number | null }> {
  const canonical = entry.canonicalMimeType as BinaryMimeType;
  const detected = await detect(bytes);
  if (!detected || !matchesDeclared(canonical, detected, bytes)) {
    throw mismatch(declared, detected);
  }
  if (entry.fileType === 'image') return { ...imageDimensions(bytes, canonical), duration: null };
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

/** Positive integer pixels or null: the API never reports 0, NaN or fractions. */
function pixels(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  const rounded = Math.round(value);
  return rounded >= 1 ? rounded : null;
}

/** Seconds rounded to milliseconds, or null: the API never reports 0, NaN or Infinity. */
function seconds(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  const rounded = Math.round(value * 1000) / 1000;
  return rounded > 0 ? rounded : null;
}

/** image-size reads only headers, so a 20000×20000 "image bomb" costs nothing here. */
function imageDimensions(bytes: Uint8Array, canonical: BinaryMimeType): Dimensions {
  // image-size reports the first `ispe` box of a HEIF file, which is often a grid tile or a
  // thumbnail; the primary item's properties give the real picture size.
  if (canonical === 'image/heic' || canonical === 'image/avif') {
    const primary = heifPrimaryDimensions(bytes);
    if (primary) return primary;
  }
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

interface AudioInfo {
  duration: number | null;
  hasAudio: boolean | undefined;
  hasVideo: boolean | undefined;
}

async function audioInfo(
  bytes: Uint8Array,
  detectedMime: string,
  budgetMs: number,
): Promise<AudioInfo | null> {
  try {
    const { format } = await parseWebStream(
      budgetedStream(bytes, performance.now() + budgetMs),
      { mimeType: detectedMime, size: bytes.length },
      // `duration: true` lets it count frames where headers have no length (ADTS AAC,
      // VBR MP3 without a Xing header).
      { duration: true, skipCovers: true },
    );
    return {
      duration: seconds(format.duration),
      hasAudio: format.hasAudio,
      hasVideo: format.hasVideo,
    };
  } catch {
    return null; // includes running out of budget
  }
}

/**
 * The bytes as a stream that fails once `deadline` has passed. A timer could not interrupt
 * the parser: over an in-memory buffer it only awaits settled promises, so timers never run.
 * Each pull checks the clock instead; with 64 KB chunks the overshoot measured under 1.2 s
 * (50 MB of crafted MP3: 5.6 s with the default budget, instead of ~170 s without).
 */
function budgetedStream(bytes: Uint8Array, deadline: number): ReadableStream<Uint8Array> {
  const chunkSize = 64 * 1024;
  let position = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (performance.now() > deadline) {
        controller.error(new Error('audio metadata budget exhausted'));
      } else if (position >= bytes.length) {
        controller.close();
      } else {
        controller.enqueue(bytes.subarray(position, position + chunkSize));
        position += chunkSize;
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// ISO-BMFF (HEIF/AVIF) box reading, just enough to find the primary item's size.

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

interface Box {
  type: string;
  /** Offset of the box payload (after size/type header). */
  body: number;
  end: number;
}

/** Child boxes of [start, end). Stops at the first malformed header instead of guessing. */
function boxes(view: DataView, start: number, end: number): Box[] {
  const found: Box[] = [];
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let pos = start;
  while (pos + 8 <= end) {
    let size = view.getUint32(pos);
    let header = 8;
    if (size === 1) {
      if (pos + 16 > end) break;
      size = Number(view.getBigUint64(pos + 8));
      header = 16;
    } else if (size === 0) {
      size = end - pos; // "extends to the end"
    }
    if (size < header || pos + size > end) break;
    found.push({ type: ascii(bytes, pos + 4, pos + 8), body: pos + header, end: pos + size });
    pos += size; // size >= 8, so this always advances
  }
  return found;
}

function ftypBrands(bytes: Uint8Array): Set<string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ftyp = boxes(view, 0, bytes.length)[0];
  const brands = new Set<string>();
  if (ftyp?.type !== 'ftyp') return brands;
  brands.add(ascii(bytes, ftyp.body, ftyp.body + 4));
  for (let pos = ftyp.body + 8; pos + 4 <= ftyp.end; pos += 4)
    brands.add(ascii(bytes, pos, pos + 4));
  return brands;
}

/**
 * meta → pitm (primary item id) → iprp/ipma (its property indices) → iprp/ipco properties:
 * `ispe` is the coded size, `clap` crops it, `irot` by 90°/270° swaps it.
 */
function heifPrimaryDimensions(bytes: Uint8Array): Dimensions | null {
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const meta = boxes(view, 0, bytes.length).find((box) => box.type === 'meta');
    if (!meta) return null;
    const metaChildren = boxes(view, meta.body + 4, meta.end); // meta is a FullBox
    const pitm = metaChildren.find((box) => box.type === 'pitm');
    const iprp = metaChildren.find((box) => box.type === 'iprp');
    if (!pitm || !iprp) return null;
    const primaryId =
      view.getUint8(pitm.body) === 0
        ? view.getUint16(pitm.body + 4)
        : view.getUint32(pitm.body + 4);

    const iprpChildren = boxes(view, iprp.body, iprp.end);
    const ipco = iprpChildren.find((box) => box.type === 'ipco');
    if (!ipco) return null;
    const properties = boxes(view, ipco.body, ipco.end);
    const indices = iprpChildren
      .filter((box) => box.type === 'ipma')
      .flatMap((ipma) => propertyIndices(view, ipma, primaryId));

    let size: { width: number; height: number } | null = null;
    let rotated = false;
    for (const index of indices) {
      const property = properties[index - 1]; // 1-based; 0 means "no property"
      if (!property) continue;
      if (property.type === 'ispe' && property.body + 12 <= property.end) {
        size = {
          width: view.getUint32(property.body + 4),
          height: view.getUint32(property.body + 8),
        };
      } else if (property.type === 'clap' && size && property.body + 16 <= property.end) {
        const [wN, wD, hN, hD] = [0, 4, 8, 12].map((at) => view.getUint32(property.body + at));
        if (wD && hD) size = { width: (wN ?? 0) / wD, height: (hN ?? 0) / hD };
      } else if (property.type === 'irot' && property.body < property.end) {
        rotated = (view.getUint8(property.body) & 1) === 1;
      }
    }
    if (!size) return null;
    const width = pixels(rotated ? size.height : size.width);
    const height = pixels(rotated ? size.width : size.height);
    return width && height ? { width, height } : null;
  } catch {
    return null; // reads past the buffer on truncated files
  }
}

function propertyIndices(view: DataView, ipma: Box, itemId: number): number[] {
  const version = view.getUint8(ipma.body);
  const wideIndices = (view.getUint32(ipma.body) & 1) === 1; // flags bit 0
  const count = view.getUint32(ipma.body + 4);
  let pos = ipma.body + 8;
  for (let i = 0; i < count && pos < ipma.end; i++) {
    const id = version < 1 ? view.getUint16(pos) : view.getUint32(pos);
    pos += version < 1 ? 2 : 4;
    const associations = view.getUint8(pos);
    pos += 1;
    const indices: number[] = [];
    for (let j = 0; j < associations && pos < ipma.end; j++) {
      indices.push(wideIndices ? view.getUint16(pos) & 0x7fff : view.getUint8(pos) & 0x7f);
      pos += wideIndices ? 2 : 1;
    }
    if (id === itemId) return indices;
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Text formats: SVG and Lottie are checked structurally (file-type cannot tell them apart
// from other XML/JSON).

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes); // also drops a leading BOM
  } catch {
    return null; // not UTF-8: binary data or an encoding we do not accept
  }
}

/** For the 415 message: name a binary type when the bytes are one. */
async function textMismatch(bytes: Uint8Array, declared: string, what: string) {
  const detected = await detect(bytes);
  return detected
    ? mismatch(declared, detected)
    : new UnsupportedMediaTypeError(
        `The file content is not ${what}, but mimeType says ${declared}.`,
      );
}

async function inspectSvg(bytes: Uint8Array, declared: string): Promise<Dimensions> {
  const text = decodeText(bytes);
  const root = text === null ? null : svgRootTag(text);
  if (root === null) throw await textMismatch(bytes, declared, 'an SVG image (<svg> root element)');
  try {
    // Only the root start tag is measured, so an `<svg` inside a leading comment cannot
    // supply the size. image-size reads width/height, falling back to the viewBox.
    const size = imageSize(new TextEncoder().encode(`${root}</svg>`));
    const width = pixels(size.width);
    const height = pixels(size.height);
    return width && height ? { width, height } : NO_DIMENSIONS;
  } catch {
    return NO_DIMENSIONS; // e.g. neither width/height nor viewBox
  }
}

/**
 * The `<svg …>` start tag when `text` is an XML-ish document whose root element is `svg`,
 * else null. Before the root only whitespace, the XML declaration / processing instructions,
 * comments and an `svg` DOCTYPE (with an internal subset, as Illustrator writes) may appear;
 * so HTML (`<!doctype html>`, `<html>`) is refused. After the root only whitespace and comments.
 * Written as a linear scan (indexOf), never a backtracking regex over untrusted text.
 */
function svgRootTag(text: string): string | null {
  const whitespace = /\s*/y;
  let pos = 0;
  for (;;) {
    whitespace.lastIndex = pos;
    whitespace.exec(text);
    pos = whitespace.lastIndex;
    if (text.startsWith('<?', pos)) {
      pos = after(text, '?>', pos + 2);
    } else if (text.startsWith('<!--', pos)) {
      pos = after(text, '-->', pos + 4);
    } else if (/^<!DOCTYPE\s+svg[\s>[]/.test(text.slice(pos, pos + 15))) {
      const close = text.indexOf('>', pos);
      const subset = text.indexOf('[', pos);
      pos =
        subset !== -1 && subset < close ? after(text, '>', after(text, ']', subset)) : close + 1;
    } else {
      break;
    }
    if (pos <= 0) return null; // unterminated declaration, comment or DOCTYPE
  }
  if (!/^<svg[\s/>]/.test(text.slice(pos, pos + 5))) return null;

  const tagEnd = startTagEnd(text, pos);
  if (tagEnd === -1) return null;
  const tag = text.slice(pos, tagEnd + 1);
  const rest = stripTrailingComments(text.slice(tagEnd + 1));
  const selfClosing = tag.endsWith('/>');
  if (selfClosing ? rest !== '' : !/<\/svg\s*>$/.test(rest.slice(-32))) return null;
  return selfClosing ? `${tag.slice(0, -2)}>` : tag;
}

/** Index just after the next `token` from `from`; -1 when there is none (or `from` is -1). */
function after(text: string, token: string, from: number): number {
  const at = from < 0 ? -1 : text.indexOf(token, from);
  return at === -1 ? -1 : at + token.length;
}

/** Index of the `>` closing the start tag at `from`, skipping quoted attribute values. */
function startTagEnd(text: string, from: number): number {
  let quote: string | null = null;
  for (let i = from; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i;
    } else if (c === '<' && i > from) {
      return -1; // a new tag before this one closed: not well-formed
    }
  }
  return -1;
}

function stripTrailingComments(text: string): string {
  let rest = text.trimEnd();
  while (rest.endsWith('-->')) {
    const start = rest.lastIndexOf('<!--');
    if (start === -1) break;
    rest = rest.slice(0, start).trimEnd();
  }
  return rest;
}

/**
 * The fields every Lottie player needs (bodymovin schema): version, in/out frame, frame rate,
 * canvas size and the layer list. Plain JSON lacks them and is refused.
 */
const lottieSchema = z
  .object({
    v: z.string(),
    ip: z.number(),
    op: z.number(),
    fr: z.number().positive(),
    w: z.number().nonnegative(),
    h: z.number().nonnegative(),
    layers: z.array(z.unknown()),
  })
  .refine((doc) => doc.op >= doc.ip, 'op must not be before ip');

async function inspectLottie(
  bytes: Uint8Array,
  declared: string,
): Promise<Dimensions & { duration: number | null }> {
  const text = decodeText(bytes);
  let doc: unknown;
  try {
    doc = text === null ? undefined : JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (doc === undefined) throw await textMismatch(bytes, declared, 'JSON');
  const lottie = lottieSchema.safeParse(doc);
  if (!lottie.success) {
    throw new UnsupportedMediaTypeError(
      `The file is JSON but not a Lottie animation (a Lottie document has v, ip, op, fr, w, h and layers), so it does not match mimeType ${declared}.`,
    );
  }
  const { ip, op, fr, w, h } = lottie.data;
  return { width: pixels(w), height: pixels(h), duration: seconds((op - ip) / fr) };
}
