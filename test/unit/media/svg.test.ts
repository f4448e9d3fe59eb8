/**
 * Hostile SVG (issue 12): the structure check examines a bounded number of characters whatever
 * the input, asserted by counting work, never by timing (the time is in `npm run bench`).
 */
import { describe, expect, it } from 'vitest';
import { UnsupportedMediaTypeError } from '../../../lib/errors.ts';
import { inspectMedia } from '../../../lib/media/inspect.ts';
import { readSvgStructure, SVG_WINDOW_BYTES } from '../../../lib/media/svg.ts';

const MB = 1024 * 1024;
const encode = (content: string) => new TextEncoder().encode(content);
/** A file of exactly `size` bytes: `head`, then `filler` repeated, then spaces and `tail`. */
function crafted(size: number, head: string, filler: string, tail: string): Uint8Array {
  const bytes = new Uint8Array(size).fill(0x20);
  const start = encode(head);
  const end = encode(tail);
  const block = encode(filler.repeat(Math.ceil(65_536 / filler.length)));
  const unit = encode(filler).length;
  const stop = size - end.length;
  let pos = start.length;
  while (pos + unit <= stop) {
    const room = Math.floor((stop - pos) / unit) * unit;
    const chunk = block.subarray(0, Math.min(block.length, room));
    bytes.set(chunk, pos);
    pos += chunk.length;
  }
  bytes.set(start, 0);
  bytes.set(end, stop);
  return bytes;
}

const DOCTYPE_LINE = '<!DOCTYPE svg>\n';
const ROOT = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32">';

describe('SVG inspection: bounded work on hostile input', () => {
  it('a 50 MB prolog of DOCTYPE lines (quadratic before) is refused after examining ≤ one window', async () => {
    const bytes = crafted(50 * MB, '', DOCTYPE_LINE, `${ROOT}</svg>`);
    const structure = readSvgStructure(bytes);
    expect(structure).toMatchObject({ rootTag: null, outsideWindow: true });
    expect(structure.examinedChars).toBeLessThanOrEqual(2 * SVG_WINDOW_BYTES);
    const error = await inspectMedia(bytes, 'image/svg+xml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((error as Error).message).toMatch(/first 1 MiB/);
  });

  it('a prolog of DOCTYPE lines inside the window is accepted in one forward pass', async () => {
    const bytes = crafted(SVG_WINDOW_BYTES - 1024, '', DOCTYPE_LINE, `${ROOT}</svg>`);
    const structure = readSvgStructure(bytes);
    expect(structure.rootTag).toBe(ROOT);
    // Each character looked at a small constant number of times, never once per line.
    expect(structure.examinedChars).toBeLessThanOrEqual(2 * bytes.length);
    expect(await inspectMedia(bytes, 'image/svg+xml')).toMatchObject({ width: 64, height: 32 });
  });

  it('a 50 MB valid SVG is read from its two windows only', async () => {
    const bytes = crafted(50 * MB, ROOT, '<g><rect width="1" height="1"/></g>\n', '</svg>\n');
    const structure = readSvgStructure(bytes);
    expect(structure.rootTag).toBe(ROOT);
    expect(structure.examinedChars).toBeLessThanOrEqual(2 * SVG_WINDOW_BYTES);
    expect(await inspectMedia(bytes, 'image/svg+xml')).toMatchObject({ width: 64, height: 32 });
  });

  it.each([
    [
      'a root start tag with a 50 MB attribute',
      `<svg width="1" height="1" data-x="`,
      'a',
      '"></svg>',
    ],
    ['50 MB of whitespace before the root', '', ' ', `${ROOT}</svg>`],
    ['an unterminated 50 MB comment', '<!--', '-', ''],
    ['50 MB of DOCTYPE subset', '<!DOCTYPE svg [', '<!ENTITY a "]">', `]>${ROOT}</svg>`],
    ['50 MB of trailing comments', `${ROOT}</svg>`, '<!-- x -->', ''],
    ['a self-closing root followed by 50 MB', '<svg width="1" height="1"/>', '<!-- -->', ''],
  ])('refuses %s, examining ≤ two windows', async (_, head, filler, tail) => {
    const bytes = crafted(50 * MB, head, filler, tail);
    const structure = readSvgStructure(bytes);
    expect(structure.rootTag).toBeNull();
    expect(structure.examinedChars).toBeLessThanOrEqual(2 * SVG_WINDOW_BYTES + 64);
    await expect(inspectMedia(bytes, 'image/svg+xml')).rejects.toBeInstanceOf(
      UnsupportedMediaTypeError,
    );
  });

  it('many trailing comments inside the window are stripped in one backward pass', () => {
    const bytes = crafted(SVG_WINDOW_BYTES - 16, `${ROOT}</svg>`, '<!--x-->\n', '');
    const structure = readSvgStructure(bytes);
    expect(structure.rootTag).toBe(ROOT);
    expect(structure.examinedChars).toBeLessThanOrEqual(3 * bytes.length);
  });

  it('measures only the size attributes of a large root tag', async () => {
    const doc = `<svg data-junk="${'x'.repeat(500_000)}" viewBox="0 0 30 10" width="60"></svg>`;
    expect(await inspectMedia(encode(doc), 'image/svg+xml')).toMatchObject({
      width: 60,
      height: 20,
    });
  });

  it('reads quoted DOCTYPE ids and subsets holding `>` and `]`', async () => {
    const doc = `<!DOCTYPE svg PUBLIC "a>b" 'c]' [ <!ENTITY e "x]>y"> <!-- ] > --> ]>${ROOT}</svg>`;
    expect(await inspectMedia(encode(doc), 'image/svg+xml')).toMatchObject({ width: 64 });
  });
});
