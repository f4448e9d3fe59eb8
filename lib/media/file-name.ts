/**
 * The `fileName` an attachment is shown and downloaded with (media-api.md §2: "returned
 * sanitised"). The stored object key never uses it, so this is about what users and their
 * operating systems see: no directories, nothing invisible or direction-flipping (which can
 * disguise `evil‮gpj.exe` as `evilexe.jpg`), no look-alike of a path separator, nothing Windows
 * refuses in a name (reserved characters and device names such as `CON` or `NUL.png`).
 *
 * Length: one rule for the request check and for the cut, 255 Unicode code points. That is what
 * JSON Schema's `maxLength` counts, so the OpenAPI description, the 400 and the truncation
 * agree (128 emoji are 128 characters: accepted and kept whole, never cut to 127).
 */

export const FILE_NAME_MAX_LENGTH = 255;
const MAX_LENGTH = FILE_NAME_MAX_LENGTH;
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
/**
 * Zero-width and blank-looking characters that carry nothing in a name: zero-width space, word
 * joiner and invisible operators, soft hyphen, combining grapheme joiner, Mongolian vowel
 * separator, Hangul fillers, Khmer inherent vowels. They hide differences between two names.
 */
const ZERO_WIDTH = /\u034f|[\u00ad\u115f\u1160\u17b4\u17b5\u180e\u200b\u2060-\u2064\u3164\uffa0]/gu;
/**
 * Zero-width (non-)joiners are needed inside words (Persian, Indic scripts) and emoji
 * sequences (👩‍💻), so they stay only between two visible characters.
 */
const STRAY_JOINERS =
  /(?<![\p{L}\p{M}\p{N}\p{Extended_Pictographic}\p{Emoji_Modifier}])[\u200c\u200d]|[\u200c\u200d](?![\p{L}\p{M}\p{N}\p{Extended_Pictographic}])/gu;
/**
 * Characters drawn like `/` or `\` (fullwidth, division and fraction slashes, solidi, set
 * minus…): `invoices／2026.pdf` must not read as a path. Removed like the reserved ones.
 */
const LOOKALIKE_SEPARATORS = /[\u2044\u2215\u2216\u29f5\u29f8\u29f9\ufe68\uff0f\uff3c]/gu;
/**
 * Windows device names, which it refuses (or opens the device) as a name or as the part
 * before the first dot, whatever the case and trailing spaces: `CON`, `nul.png`, `COM1.tar.gz`.
 */
const DEVICE_NAME = /^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)\s*(?:\.|$)/iu;
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
    .replace(ZERO_WIDTH, '')
    .replace(LONE_SURROGATES, '')
    .replace(RESERVED, '')
    .replace(LOOKALIKE_SEPARATORS, '')
    // After removals, so a combining mark freed from a control char composes with its base.
    .normalize('NFC')
    .replace(STRAY_JOINERS, '')
    .replace(/\s+/g, ' ')
    .replace(EDGE_DOTS_AND_SPACES, '');
  const capped = truncate(cleaned).replace(EDGE_DOTS_AND_SPACES, '');
  if (capped === '') return FALLBACK;
  // Prefixed rather than dropped, so the name still says what it was; cut again in case the
  // prefix made a full-length name one character too long.
  return DEVICE_NAME.test(capped) ? truncate(`_${capped}`) : capped;
}

/** The length the 1–255 rule counts: Unicode code points (JSON Schema's `maxLength`). */
export function fileNameLength(name: string): number {
  let count = 0;
  for (const _ of name) count++;
  return count;
}

/**
 * At most MAX_LENGTH code points (the request's rule), cut between graphemes so no emoji or
 * accented letter is split, keeping a short extension intact.
 */
function truncate(name: string): string {
  // Code points ≤ UTF-16 units: a name this short needs no counting.
  if (name.length <= MAX_LENGTH || fileNameLength(name) <= MAX_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension =
    dot > 0 && name.length - dot <= MAX_EXTENSION_LENGTH + 1 && !/\s/.test(name.slice(dot))
      ? name.slice(dot)
      : '';
  const stem = name.slice(0, name.length - extension.length);
  const room = MAX_LENGTH - fileNameLength(extension);
  return cutToLength(stem, room).replace(/[.\s]+$/, '') + extension;
}

/** The longest run of whole graphemes of `text` within `max` code points. */
function cutToLength(text: string, max: number): string {
  let out = '';
  let length = 0;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(text)) {
    length += fileNameLength(segment);
    if (length > max) break;
    out += segment;
  }
  return out;
}
