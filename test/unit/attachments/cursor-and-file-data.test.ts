import { describe, expect, it } from 'vitest';
import { storageKeyFor } from '../../../lib/attachments/model.ts';
import { CursorSeal, decodeCursor, encodeCursor } from '../../../lib/attachments/read/cursor.ts';
import {
  assertWithinLimit,
  base64Payload,
  decodeBase64,
  decodedLength,
} from '../../../lib/attachments/upload/file-data.ts';

describe('cursor', () => {
  const position = { createdAt: 1775073600000, id: 'att_abc123' };

  it('is base64 of {createdAt,id} as in the contract', () => {
    expect(encodeCursor(position)).toBe(
      'eyJjcmVhdGVkQXQiOjE3NzUwNzM2MDAwMDAsImlkIjoiYXR0X2FiYzEyMyJ9',
    );
    expect(decodeCursor(encodeCursor(position))).toEqual({ position, start: position });
  });

  it('accepts base64url and missing padding', () => {
    const url = Buffer.from(JSON.stringify(position)).toString('base64url');
    expect(decodeCursor(url).start).toEqual(position);
  });

  describe('with a sealed resume position', () => {
    const seal = new CursorSeal('secret one');
    const hidden = { createdAt: 1775073500000, id: 'att_hidden42' };
    const cursor = encodeCursor(position, { position: hidden, seal });
    const json = Buffer.from(cursor, 'base64').toString('utf8');

    it('shows only the public position, nothing of the sealed one', () => {
      const parsed = JSON.parse(json);
      expect(Object.keys(parsed)).toEqual(['createdAt', 'id', 'resume']);
      expect(parsed).toMatchObject(position);
      expect(json).not.toContain('hidden42');
      expect(json).not.toContain('1775073500000');
      expect(json).not.toContain(Buffer.from('hidden42').toString('base64').slice(0, 8));
    });

    it('resumes after the sealed position for the same secret', () => {
      expect(decodeCursor(cursor, seal)).toEqual({ position, start: hidden });
    });

    it('falls back to the public position when the seal does not open', () => {
      expect(decodeCursor(cursor, new CursorSeal('another secret')).start).toEqual(position);
      // Moved onto another public position: bound to the one it was sealed with.
      const moved = JSON.parse(json);
      moved.createdAt += 1;
      const tampered = Buffer.from(JSON.stringify(moved)).toString('base64');
      expect(decodeCursor(tampered, seal).start).toEqual({ ...position, createdAt: 1775073600001 });
      const garbage = Buffer.from(JSON.stringify({ ...position, resume: 'AAAA' })).toString(
        'base64',
      );
      expect(decodeCursor(garbage, seal).start).toEqual(position);
    });

    it('never resumes before the public position', () => {
      const newer = { createdAt: position.createdAt + 1, id: 'att_newer' };
      const backwards = encodeCursor(position, { position: newer, seal });
      expect(decodeCursor(backwards, seal).start).toEqual(position);
    });
  });

  it.each([
    ['empty', ''],
    ['not base64', '!!!'],
    ['not JSON', Buffer.from('hello').toString('base64')],
    ['an array', Buffer.from('[1]').toString('base64')],
    ['a string createdAt', Buffer.from('{"createdAt":"1","id":"att_a"}').toString('base64')],
    ['a fractional createdAt', Buffer.from('{"createdAt":1.5,"id":"att_a"}').toString('base64')],
    ['a negative createdAt', Buffer.from('{"createdAt":-1,"id":"att_a"}').toString('base64')],
    ['a foreign id', Buffer.from('{"createdAt":1,"id":"pst_a"}').toString('base64')],
    ['extra fields', Buffer.from('{"createdAt":1,"id":"att_a","x":1}').toString('base64')],
    [
      'a resume that is no string',
      Buffer.from('{"createdAt":1,"id":"att_a","resume":1}').toString('base64'),
    ],
    ['huge', 'A'.repeat(10_000)],
  ])('rejects %s', (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(
      expect.objectContaining({ statusCode: 400, code: 'invalid_cursor' }),
    );
  });
});

describe('fileData', () => {
  it('strips a data URL prefix', () => {
    expect(base64Payload('data:image/png;base64,AAAA')).toBe('AAAA');
    expect(base64Payload('AAAA')).toBe('AAAA');
    expect(() => base64Payload('data:image/png,rawbytes')).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
  });

  it('knows the decoded size from the length alone', () => {
    for (const size of [1, 2, 3, 4, 5, 100, 1001]) {
      const encoded = Buffer.alloc(size, 7).toString('base64');
      expect(decodedLength(encoded)).toBe(size);
      expect(decodedLength(encoded.replace(/=+$/, ''))).toBe(size);
    }
  });

  it('answers 413 with limit and size before decoding', () => {
    const limit = 30;
    const encoded = Buffer.alloc(31).toString('base64');
    expect(() => assertWithinLimit(encoded, limit)).toThrow(
      expect.objectContaining({ statusCode: 413, details: { limitBytes: 30, sizeBytes: 31 } }),
    );
    expect(() => assertWithinLimit(Buffer.alloc(30).toString('base64'), limit)).not.toThrow();
  });

  it('says both sizes and no alternative (upload sessions have the same limit)', () => {
    expect(() => assertWithinLimit(Buffer.alloc(31).toString('base64'), 30)).toThrow(
      expect.objectContaining({
        statusCode: 413,
        message: 'The file is 31 bytes; the limit is 30 bytes.',
      }),
    );
  });

  it.each([['A'], ['ab$d'], ['abcd efgh'], ['abcde']])('rejects invalid base64 %j', (value) => {
    expect(() => decodeBase64(value)).toThrow(
      expect.objectContaining({ statusCode: 400, details: { field: 'fileData' } }),
    );
  });

  it('rejects base64 of nothing', () => {
    expect(() => decodeBase64('')).toThrow(expect.objectContaining({ statusCode: 400 }));
  });
});

describe('storageKeyFor', () => {
  it('uses the UTC date, the id without its prefix and the type extension', () => {
    expect(storageKeyFor('att_abc123', Date.UTC(2026, 3, 1, 23, 59), 'png')).toBe(
      'uploads/2026/04/01/abc123.png',
    );
  });
});
