/**
 * The `fileName` an attachment is shown and downloaded with (media-api.md §2: "returned
 * sanitised"). The stored object key never uses it, so this is about what users and their
 * operating systems see: no directories, nothing invisible or direction-flipping (which can
 * disguise `evil‮gpj.exe` as `evilexe.jpg`), nothing Windows refuses in a name.
 */

const MAX_LENGTH = 255;
const FALLBACK = 'file';
/** Longest tail after the last dot still treated as an extension worth keeping. */
const MAX_EXTENSION_LENGTH = 16;

/** Tabs and line breaks become spaces so the words on either side stay apart. */
const WHITESPACE_CONTROLS = /[\t\n\v\f\r]/g;
/**
 * C0/C1 controls (\p{Cc}: U+0000–U+001F, U+007F–U+009F), bidi embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069), bidi marks (U+061C, U+200E, U+200F) and the BOM.
 * Zero-width joiners stay: emoji sequences need them.
 */
const INVISIBLE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;
/** Surrogate halves without their partner cannot be stored or encoded as UTF-8. */
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Reserved on Windows (and `/` everywhere). */
const RESERVED = /[<>:"/\\|?*]/g;
const EDGE_DOTS_AND_SPACES = /^[.\s]+|[.\s]+$/g;

/**
 * Made on first use (only names over MAX_LENGTH need it): constructing a segmenter loads ICU's
 * break rules, ≈ 6 ms that every upload function would otherwise spend at start.
 */
let graphemes: Intl.Segmenter | undefined;

export function sanitizeFileName(name: string): string {
  // Path parts first (both separators: clients on Windows send `C:\x\y.png`).
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const cleaned = base
    .replace(WHITESPACE_CONTROLS, ' ')
    .replace(INVISIBLE, '')
    .replace(LONE_SURROGATES, '')
    .replace(RESERVED, '')
    // After removals, so a combining mark freed from a control char composes with its base.
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .replace(EDGE_DOTS_AND_SPACES, '');
  const capped = truncate(cleaned).replace(EDGE_DOTS_AND_SPACES, '');
  return capped === '' ? FALLBACK : capped;
}

/**
 * At most MAX_LENGTH UTF-16 units (what the request's 1–255 rule counts), cut between
 * graphemes so no emoji or accented letter is split, keeping a short extension intact.
 */
function truncate(name: string): string {
  if (name.length <= MAX_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension =
    dot > 0 && name.length - dot <= MAX_EXTENSION_LENGTH + 1 && !/\s/.test(name.slice(dot))
      ? name.slice(dot)
      : '';
  const stem = name.slice(0, name.length - extension.length);
  return cutToLength(stem, MAX_LENGTH - extension.length).replace(/[.\s]+$/, '') + extension;
}

function cutToLength(text: string, max: number): string {
  let out = '';
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > max) break;
    out += segment;
  }
  return out;
}
