/**
 * SVG: the document must have an `<svg>` root element; its size comes from that root tag's
 * width/height (or viewBox), read by image-size (loaded on the first SVG).
 */
import { type Dimensions, NO_DIMENSIONS, pixels } from './measurements.ts';
import { decodeText, textMismatch } from './text.ts';

export async function inspectSvg(bytes: Uint8Array, declared: string): Promise<Dimensions> {
  const text = decodeText(bytes);
  const root = text === null ? null : svgRootTag(text);
  if (root === null) throw await textMismatch(bytes, declared, 'an SVG image (<svg> root element)');
  const { imageSize } = await import('image-size');
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
