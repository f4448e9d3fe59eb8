import { describe, expect, it } from 'vitest';
import { sanitizeFileName } from '../../../lib/media/file-name.ts';

describe('sanitizeFileName', () => {
  it('keeps ordinary names unchanged', () => {
    expect(sanitizeFileName('screenshot.png')).toBe('screenshot.png');
    expect(sanitizeFileName('Weekly update (final) v2.pdf')).toBe('Weekly update (final) v2.pdf');
  });

  it('strips path parts with either separator', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\x\\y.png')).toBe('y.png');
    expect(sanitizeFileName('/var/tmp/../a.jpg')).toBe('a.jpg');
    expect(sanitizeFileName('dir\\sub/mixed\\name.gif')).toBe('name.gif');
    expect(sanitizeFileName('photos/')).toBe('file');
  });

  it('removes control characters and turns tabs/newlines into spaces', () => {
    expect(sanitizeFileName('a\u0000b\u0007c\u001f.png')).toBe('abc.png');
    expect(sanitizeFileName('del\u007f\u0085\u009f.png')).toBe('del.png');
    expect(sanitizeFileName('two\twords\r\nhere.txt')).toBe('two words here.txt');
  });

  it('removes bidi overrides and isolates that disguise extensions', () => {
    // "invoice\u202Egnp.exe" renders as "invoiceexe.png".
    expect(sanitizeFileName('invoice\u202Egnp.exe')).toBe('invoicegnp.exe');
    expect(sanitizeFileName('a\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069b.pdf')).toBe(
      'ab.pdf',
    );
  });

  it('removes reserved characters', () => {
    expect(sanitizeFileName('a<b>c:d"e|f?g*h.png')).toBe('abcdefgh.png');
  });

  it('trims leading and trailing dots and spaces', () => {
    expect(sanitizeFileName('  .hidden.png . ')).toBe('hidden.png');
    expect(sanitizeFileName('name.png...')).toBe('name.png');
  });

  it('collapses whitespace', () => {
    expect(sanitizeFileName('a   b \u00a0\u3000 c.png')).toBe('a b c.png');
  });

  it('falls back to "file" when nothing is left', () => {
    for (const name of ['...', '', '   ', '\u0000\u202E', '<>:"|?*', '../..', ' . . ']) {
      expect(sanitizeFileName(name)).toBe('file');
    }
  });

  it('caps long names at 255 characters, keeping the extension', () => {
    const capped = sanitizeFileName(`${'a'.repeat(300)}.png`);
    expect(capped).toHaveLength(255);
    expect(capped.endsWith('a.png')).toBe(true);

    expect(sanitizeFileName('b'.repeat(300))).toBe('b'.repeat(255));
    // A 40-character "extension" is not one: plain truncation.
    expect(sanitizeFileName(`x.${'c'.repeat(300)}`)).toHaveLength(255);
  });

  it('does not split an emoji when truncating', () => {
    const capped = sanitizeFileName(`${'🎉'.repeat(200)}.png`);
    expect(capped.length).toBeLessThanOrEqual(255);
    expect(capped.endsWith('🎉.png')).toBe(true);
    expect(capped).not.toMatch(/[\ud800-\udfff]/u); // no lone surrogate
  });

  it('keeps emoji, including ZWJ sequences and flags', () => {
    expect(sanitizeFileName('🎉 party.png')).toBe('🎉 party.png');
    expect(sanitizeFileName('👩‍💻 🇩🇪.jpg')).toBe('👩‍💻 🇩🇪.jpg');
  });

  it('normalises to NFC', () => {
    const decomposed = 'cafe\u0301.png';
    expect(sanitizeFileName(decomposed)).toBe('caf\u00e9.png');
    // The combining mark composes even when a control character separated it.
    expect(sanitizeFileName('e\u0000\u0301.png')).toBe('\u00e9.png');
  });

  it('drops lone surrogates', () => {
    expect(sanitizeFileName('a\ud800b\udc00.png')).toBe('ab.png');
  });
});
