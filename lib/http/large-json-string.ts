/**
 * `JSON.parse` for a request object with one top-level string field that may be tens of MB (a
 * base64 file). The field's value is returned as a slice of the body text — V8 shares the
 * characters of a slice, so nothing is copied — and only the rest of the object goes through
 * `JSON.parse`. A 67 MB upload body then costs one copy of the file (its decoded bytes) instead
 * of three. Whenever the fast path meets something it does not handle (escapes in the field, a
 * repeated field, anything unusual), it falls back to plain `JSON.parse`, so the result is always
 * what `JSON.parse` would give for well-formed input.
 */

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

class Fallback extends Error {}

/** Index just past the string literal that opens at `start` (a `"`). */
function endOfString(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  for (;;) {
    if (quote < 0) throw new Fallback();
    let backslashes = 0;
    while (text[quote - 1 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
}

/** Index just past the JSON value that starts at `start` (not validated: JSON.parse does that). */
function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return endOfString(text, start);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const char = text[i];
      if (char === '"') i = endOfString(text, i) - 1;
      else if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    throw new Fallback();
  }
  let i = start;
  while (
    i < text.length &&
    !',}]'.includes(text[i] as string) &&
    !WHITESPACE.has(text[i] as string)
  ) {
    i++;
  }
  if (i === start) throw new Fallback();
  return i;
}

function skipWhitespace(text: string, start: number): number {
  let i = start;
  while (WHITESPACE.has(text[i] as string)) i++;
  return i;
}

/** Where the value of top-level `field` is (quotes included), if it is a plain string. */
function locateStringField(text: string, field: string): { start: number; end: number } | null {
  let i = skipWhitespace(text, 0);
  if (text[i] !== '{') throw new Fallback();
  i = skipWhitespace(text, i + 1);
  let found: { start: number; end: number } | null = null;
  if (text[i] === '}') return null;
  for (;;) {
    if (text[i] !== '"') throw new Fallback();
    const keyEnd = endOfString(text, i);
    const key: unknown = JSON.parse(text.slice(i, keyEnd));
    i = skipWhitespace(text, keyEnd);
    if (text[i] !== ':') throw new Fallback();
    const valueStart = skipWhitespace(text, i + 1);
    const valueEnd = endOfValue(text, valueStart);
    if (key === field) {
      // Escapes would need decoding (base64 never has any); a repeated key is JSON.parse's call.
      const isPlainString = text[valueStart] === '"' && !hasBackslash(text, valueStart, valueEnd);
      if (found || !isPlainString) throw new Fallback();
      found = { start: valueStart, end: valueEnd };
    }
    i = skipWhitespace(text, valueEnd);
    if (text[i] === ',') {
      i = skipWhitespace(text, i + 1);
      continue;
    }
    if (text[i] !== '}') throw new Fallback();
    if (skipWhitespace(text, i + 1) !== text.length) throw new Fallback();
    return found;
  }
}

function hasBackslash(text: string, start: number, end: number): boolean {
  const backslash = text.indexOf('\\', start);
  return backslash >= 0 && backslash < end;
}

export function parseJsonWithLargeString(text: string, field: string): unknown {
  let location: { start: number; end: number } | null;
  try {
    location = locateStringField(text, field);
  } catch (error) {
    if (error instanceof Fallback) return JSON.parse(text);
    throw error;
  }
  if (!location) return JSON.parse(text);
  const rest = JSON.parse(`${text.slice(0, location.start)}""${text.slice(location.end)}`);
  rest[field] = text.slice(location.start + 1, location.end - 1);
  return rest;
}
