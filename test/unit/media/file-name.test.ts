import { describe, expect, it } from 'vitest';
import { uploadRequestSchema } from '../../../lib/attachments/schemas.ts';
import { fileNameLength, sanitizeFileName } from '../../../lib/media/file-name.ts';
import { buildOpenApiDocument } from '../../../lib/openapi/document.ts';

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
    const capped = sanitizeFileName(`${'🎉'.repeat(300)}.png`);
    expect(fileNameLength(capped)).toBe(255);
    expect(capped).toBe(`${'🎉'.repeat(251)}.png`);
    // A family emoji is 7 code points: it is kept whole or not at all.
    const family = '👨‍👩‍👧‍👦';
    const cut = sanitizeFileName(`${'a'.repeat(250)}${family}.png`);
    expect(cut).toBe(`${'a'.repeat(250)}.png`);
  });

  it('counts length one way, in code points, for the request check and the cut', () => {
    // 128 emoji: 128 code points but 256 UTF-16 units. Accepted and kept whole.
    const emoji = '😀'.repeat(128);
    expect(sanitizeFileName(emoji)).toBe(emoji);
    const request = { postId: 'pst_1', mimeType: 'image/png', fileData: 'AA==' };
    expect(uploadRequestSchema.safeParse({ ...request, fileName: emoji }).success).toBe(true);
    expect(uploadRequestSchema.safeParse({ ...request, fileName: '😀'.repeat(255) }).success).toBe(
      true,
    );
    const tooLong = uploadRequestSchema.safeParse({ ...request, fileName: '😀'.repeat(256) });
    expect(tooLong.error?.issues).toMatchObject([
      { path: ['fileName'], message: 'must be 1–255 characters' },
    ]);
    // The description states the same limit (JSON Schema counts code points too).
    const described = buildOpenApiDocument().components.schemas.UploadRequest as {
      properties?: Record<string, unknown>;
    };
    expect(described.properties?.fileName).toMatchObject({ maxLength: 255, minLength: 1 });
  });

  it('prefixes Windows device names, with or without an extension', () => {
    for (const [name, cleaned] of [
      ['CON', '_CON'],
      ['nul.png', '_nul.png'],
      ['NUL .png', '_NUL .png'],
      ['COM1.tar.gz', '_COM1.tar.gz'],
      ['lpt9.pdf', '_lpt9.pdf'],
      ['COM¹.png', '_COM¹.png'],
      ['aux.', '_aux'],
      ['CONOUT$.txt', '_CONOUT$.txt'],
      ['dir/PRN.jpg', '_PRN.jpg'],
    ]) {
      expect(sanitizeFileName(name as string)).toBe(cleaned);
    }
    for (const name of ['CONTRACT.pdf', 'console.png', 'COM10.png', 'nullable.png', 'my CON.png']) {
      expect(sanitizeFileName(name)).toBe(name);
    }
    // The prefix never takes a full-length name over the limit.
    expect(fileNameLength(sanitizeFileName(`CON.${'x'.repeat(300)}`))).toBe(255);
  });

  it('removes zero-width and blank-looking characters', () => {
    expect(sanitizeFileName('in\u200bvoice\u2060.pdf')).toBe('invoice.pdf');
    expect(sanitizeFileName('soft\u00adhyphen\u034f\u180e.png')).toBe('softhyphen.png');
    expect(sanitizeFileName('\u3164\u115f.png')).toBe('png');
    // Joiners with nothing to join go; those inside words and emoji stay.
    expect(sanitizeFileName('\u200dname\u200c .png')).toBe('name .png');
    expect(sanitizeFileName('می\u200cخواهم.png')).toBe('می\u200cخواهم.png');
    expect(sanitizeFileName('👩‍💻.png')).toBe('👩‍💻.png');
  });

  it('removes look-alikes of path separators', () => {
    expect(sanitizeFileName('invoices\uff0f2026\uff0fmarch.pdf')).toBe('invoices2026march.pdf');
    expect(sanitizeFileName('a\u2215b\u2044c\u29f8d\uff3ce\ufe68f\u2216g.png')).toBe('abcdefg.png');
    expect(sanitizeFileName('..\uff0f..\uff0fetc\uff0fpasswd')).toBe('etcpasswd');
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
