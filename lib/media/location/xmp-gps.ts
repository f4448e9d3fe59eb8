/**
 * Blanks GPS properties (`exif:GPSLatitude`, `exif:GPSLongitude`, … under any namespace prefix)
 * in an XMP packet, in place and without changing its length: each property, written as an
 * attribute or as an element, is overwritten with spaces, which XML allows in both places. The
 * packet is read as Latin-1 so that string positions are byte positions (the names searched for
 * are ASCII; values may be any UTF-8 and are blanked whole).
 *
 * One forward scan from each `:GPS` to the end of its property, so the cost is linear in the
 * packet's size whatever it contains (no backtracking regular expressions on hostile input).
 */

const SPACE = 0x20;
/** A search reached the end of the packet: every later one would too, so scanning stops. */
const RAN_OUT = -1;
const NAME_CHAR = /[\w.-]/;
const LETTER = /[A-Za-z]/;

/** True when at least one GPS property was blanked. */
export function removeXmpGps(packet: Uint8Array): boolean {
  const text = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength).toString('latin1');
  let removed = false;
  let from = 0;
  for (let at = text.indexOf(':GPS', from); at >= 0; at = text.indexOf(':GPS', from)) {
    let start = at;
    while (start > from && NAME_CHAR.test(text[start - 1] as string)) start--;
    let nameEnd = at + 4;
    while (nameEnd < text.length && LETTER.test(text[nameEnd] as string)) nameEnd++;
    const end =
      text[start - 1] === '<'
        ? elementEnd(text, start - 1, text.slice(start, nameEnd))
        : attributeEnd(text, nameEnd);
    if (end === RAN_OUT) break; // nothing later can be closed either
    if (end === null) {
      from = nameEnd;
      continue;
    }
    const blankFrom = text[start - 1] === '<' ? start - 1 : start;
    packet.fill(SPACE, blankFrom, end);
    removed = true;
    from = end;
  }
  return removed;
}

/**
 * After `name`: optional spaces, `=`, spaces, a quoted value. The end of the value, null when
 * this is not an attribute, `RAN_OUT` when the value never closes.
 */
function attributeEnd(text: string, nameEnd: number): number | null {
  let pos = nameEnd;
  while (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r') pos++;
  if (text[pos] !== '=') return null;
  pos++;
  while (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r') pos++;
  const quote = text[pos];
  if (quote !== '"' && quote !== "'") return null;
  const closing = text.indexOf(quote, pos + 1);
  return closing < 0 ? RAN_OUT : closing + 1;
}

/** `<name …/>` or `<name …>…</name>` starting at `open`: its end, or `RAN_OUT`. */
function elementEnd(text: string, open: number, name: string): number {
  const tagEnd = text.indexOf('>', open);
  if (tagEnd < 0) return RAN_OUT;
  if (text[tagEnd - 1] === '/') return tagEnd + 1;
  const closing = text.indexOf(`</${name}`, tagEnd);
  if (closing < 0) return RAN_OUT;
  const closingEnd = text.indexOf('>', closing);
  return closingEnd < 0 ? RAN_OUT : closingEnd + 1;
}
