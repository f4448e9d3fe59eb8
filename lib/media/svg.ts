/**
 * SVG: the document must have an `<svg>` root element; its size comes from that root tag's
 * width/height (or viewBox), read by image-size (loaded on the first SVG).
 *
 * Hostile input (issue 12): the check must cost the same small amount whatever the file holds.
 * So the structure is read from two windows only, the first and the last WINDOW_BYTES: the
 * prolog and the root start tag must end inside the first, the closing `</svg>` (and any
 * trailing comments) must sit inside the last. Within them every scan moves forward only, so
 * the characters examined never exceed the two windows. The rest of the file is only checked
 * to be UTF-8 (native, linear, no string built).
 */
import { isUtf8 } from 'node:buffer';
import { UnsupportedMediaTypeError } from '../errors.ts';
import { type Dimensions, NO_DIMENSIONS, pixels } from './measurements.ts';
import { textMismatch } from './text.ts';

/** Far beyond any real prolog (Illustrator's DOCTYPE subset is a few KB) or root tag. */
export const SVG_WINDOW_BYTES = 1024 * 1024;
/** width/height/viewBox values longer than this are not a size anyone means. */
const MAX_SIZE_ATTRIBUTE_LENGTH = 100;

const decoder = new TextDecoder('utf-8'); // drops a leading BOM

export interface SvgStructure {
  /** The `<svg …>` start tag (self-closing written as an open tag), or null: not an SVG. */
  rootTag: string | null;
  /** Why it is not one, when the answer is "too large to tell" rather than "not an SVG". */
  outsideWindow: boolean;
  /** Characters the scans looked at: the bound on work that tests assert. */
  examinedChars: number;
}

export async function inspectSvg(bytes: Uint8Array, declared: string): Promise<Dimensions> {
  const structure = isUtf8(bytes) ? readSvgStructure(bytes) : null;
  if (structure?.outsideWindow) {
    throw new UnsupportedMediaTypeError(
      `The SVG's prolog and <svg> start tag must end within its first ${SVG_WINDOW_BYTES / 1024 / 1024} MiB, and only comments may follow </svg>.`,
    );
  }
  if (!structure?.rootTag) {
    throw await textMismatch(bytes, declared, 'an SVG image (<svg> root element)');
  }
  return measure(structure.rootTag);
}

/** Exported for the bound-on-work tests and the bench. `bytes` must be UTF-8. */
export function readSvgStructure(bytes: Uint8Array): SvgStructure {
  const meter = new Meter();
  const whole = bytes.length <= SVG_WINDOW_BYTES;
  const head = decoder.decode(bytes.subarray(0, SVG_WINDOW_BYTES));
  const result = (rootTag: string | null, outsideWindow = false): SvgStructure => ({
    rootTag,
    outsideWindow,
    examinedChars: meter.examined,
  });

  const rootStart = skipProlog(head, meter);
  if (rootStart === -1) return result(null, !whole);
  if (!/^<svg[\s/>]/.test(head.slice(rootStart, rootStart + 5))) {
    // A prolog construct cut by the window's end (its start is too short to recognise).
    return result(null, !whole && rootStart > head.length - 16);
  }
  const tagEnd = startTagEnd(head, rootStart, meter);
  if (tagEnd === -1) return result(null, !whole);
  const tag = head.slice(rootStart, tagEnd + 1);
  const selfClosing = tag.endsWith('/>');

  // After the root only whitespace and comments; for a self-closing root that must be
  // everything up to the end of the file, which then has to fit the window.
  if (selfClosing && !whole) return result(null, true);
  const tail = whole ? head : decoder.decode(bytes.subarray(bytes.length - SVG_WINDOW_BYTES));
  const floor = whole ? tagEnd + 1 : 0;
  const end = endBeforeTrailingComments(tail, floor, meter);
  if (end === -1) return result(null, !whole);
  const closed = selfClosing
    ? end === floor
    : /<\/svg\s*>$/.test(tail.slice(Math.max(floor, end - 32), end));
  return result(closed ? (selfClosing ? `${tag.slice(0, -2)}>` : tag) : null);
}

/** Counts what the scans examine; every search reports the span it covered. */
class Meter {
  examined = 0;

  /** Index of `token` at or after `from` in `text`, or -1. */
  find(text: string, token: string, from: number): number {
    const at = text.indexOf(token, from);
    this.examined += (at === -1 ? text.length : at + token.length) - from;
    return at;
  }

  /** Index just after the next `token`, or -1. */
  past(text: string, token: string, from: number): number {
    const at = this.find(text, token, from);
    return at === -1 ? -1 : at + token.length;
  }
}

const WHITESPACE = /\s*/y;

/**
 * Where the root element starts: before it only whitespace, the XML declaration / processing
 * instructions, comments and an `svg` DOCTYPE (with an internal subset, as Illustrator writes)
 * may appear, so HTML (`<!doctype html>`, `<html>`) is refused. -1: a construct is not closed.
 */
function skipProlog(text: string, meter: Meter): number {
  let pos = 0;
  for (;;) {
    WHITESPACE.lastIndex = pos;
    WHITESPACE.exec(text);
    meter.examined += WHITESPACE.lastIndex - pos + 1;
    pos = WHITESPACE.lastIndex;
    if (text.startsWith('<?', pos)) {
      pos = meter.past(text, '?>', pos + 2);
    } else if (text.startsWith('<!--', pos)) {
      pos = meter.past(text, '-->', pos + 4);
    } else if (/^<!DOCTYPE\s+svg[\s>[]/.test(text.slice(pos, pos + 15))) {
      pos = doctypeEnd(text, pos + 9, meter);
    } else {
      return pos;
    }
    if (pos === -1) return -1;
  }
}

/** Index after the DOCTYPE's `>`: quoted ids and the `[…]` internal subset are skipped whole. */
function doctypeEnd(text: string, from: number, meter: Meter): number {
  let pos = from;
  let inSubset = false;
  while (pos < text.length) {
    const c = text.charAt(pos);
    meter.examined++;
    if (c === '"' || c === "'") {
      pos = meter.past(text, c, pos + 1);
    } else if (inSubset && text.startsWith('<!--', pos)) {
      pos = meter.past(text, '-->', pos + 4);
    } else if (c === '[' && !inSubset) {
      inSubset = true;
      pos++;
    } else if (c === ']' && inSubset) {
      inSubset = false;
      pos++;
    } else if (c === '>' && !inSubset) {
      return pos + 1;
    } else {
      pos++;
    }
    if (pos === -1) return -1;
  }
  return -1;
}

/** Index of the `>` closing the start tag at `from`, skipping quoted attribute values. */
function startTagEnd(text: string, from: number, meter: Meter): number {
  for (let pos = from + 1; pos < text.length; pos++) {
    const c = text.charAt(pos);
    meter.examined++;
    if (c === '"' || c === "'") {
      pos = meter.find(text, c, pos + 1);
      if (pos === -1) return -1;
    } else if (c === '>') {
      return pos;
    } else if (c === '<') {
      return -1; // a new tag before this one closed: not well-formed
    }
  }
  return -1;
}

/**
 * End of `text` once trailing whitespace and comments are dropped, never below `floor`;
 * -1 when a trailing `-->` has no opening `<!--` at or above `floor`.
 */
function endBeforeTrailingComments(text: string, floor: number, meter: Meter): number {
  let end = trimmedEnd(text, text.length, floor, meter);
  while (end - floor >= 7 && text.startsWith('-->', end - 3)) {
    const start = text.lastIndexOf('<!--', end - 3);
    meter.examined += end - Math.max(start, 0);
    if (start < floor) return -1;
    end = trimmedEnd(text, start, floor, meter);
  }
  return end;
}

function trimmedEnd(text: string, end: number, floor: number, meter: Meter): number {
  let at = end;
  while (at > floor && /\s/.test(text.charAt(at - 1))) at--;
  meter.examined += end - at + 1;
  return at;
}

/**
 * image-size reads width/height, falling back to the viewBox. It is given a tag holding only
 * those attributes (read here in one pass), never the client's possibly huge root tag, which
 * its backtracking regular expressions would scan.
 */
async function measure(rootTag: string): Promise<Dimensions> {
  const attributes = sizeAttributes(rootTag);
  if (attributes === '') return NO_DIMENSIONS;
  const { imageSize } = await import('image-size');
  try {
    const size = imageSize(new TextEncoder().encode(`<svg ${attributes}></svg>`));
    const width = pixels(size.width);
    const height = pixels(size.height);
    return width && height ? { width, height } : NO_DIMENSIONS;
  } catch {
    return NO_DIMENSIONS; // e.g. neither width/height nor viewBox
  }
}

const ATTRIBUTE = /\s+([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const SIZE_ATTRIBUTES = new Set(['width', 'height', 'viewBox']);

function sizeAttributes(rootTag: string): string {
  const found: string[] = [];
  ATTRIBUTE.lastIndex = 4; // after `<svg`
  for (let match = ATTRIBUTE.exec(rootTag); match; match = ATTRIBUTE.exec(rootTag)) {
    const [, name = '', doubleQuoted, singleQuoted] = match;
    const value = doubleQuoted ?? singleQuoted ?? '';
    if (
      SIZE_ATTRIBUTES.has(name) &&
      value.length <= MAX_SIZE_ATTRIBUTE_LENGTH &&
      !value.includes('"')
    ) {
      found.push(`${name}="${value}"`);
    }
  }
  return found.join(' ');
}
