import { describe, expect, it } from 'vitest';
import { parseJsonWithLargeString } from '../../../lib/http/large-json-string.ts';

const parse = (text: string) => parseJsonWithLargeString(text, 'fileData');

/** Whatever the input, the result (or the failure) is exactly JSON.parse's. */
function expectSameAsJsonParse(text: string) {
  let expected: unknown;
  let expectedError: unknown;
  try {
    expected = JSON.parse(text);
  } catch (error) {
    expectedError = error;
  }
  if (expectedError) expect(() => parse(text)).toThrow(SyntaxError);
  else expect(parse(text)).toEqual(expected);
}

describe('parseJsonWithLargeString', () => {
  it.each([
    '{"postId":"pst_1","fileName":"a.png","mimeType":"image/png","fileData":"QUJD"}',
    '{"fileData":"QUJD","postId":"pst_1"}',
    '  {\n  "fileData" :  "QUJD" ,\n "width": 10, "nested": {"a": [1, {"b": "}"}]}, "x": null }\n',
    '{"a":"quote \\" and } inside","fileData":"QUJD","b":[true,false,null,-1.5e3]}',
    '{"fileData":""}',
    '{"fileData":"data:image/png;base64,QUJD"}',
    '{}',
    '{"other":"no file here"}',
    // The fast path gives way to JSON.parse for these; the result must still be the same.
    '{"fileData":"with \\n escape"}',
    '{"fileData":"QUJD","fileData":"REVG"}',
    '{"fileData":12}',
    '{"fileData":["QUJD"]}',
    '{"fileData":"QUJD"} trailing',
    '[{"fileData":"QUJD"}]',
    '"just a string"',
    '{"fileData":"unterminated',
    '{"fileData" "QUJD"}',
    '{"fileData":"QUJD",}',
    '{"a":1 "fileData":"QUJD"}',
    '',
    'null',
  ])('agrees with JSON.parse on %j', (text) => {
    expectSameAsJsonParse(text);
  });

  it('returns the large value intact', () => {
    const big = 'A'.repeat(5_000_000);
    const result = parse(`{"postId":"pst_1","fileData":"${big}","width":3}`) as Record<
      string,
      unknown
    >;
    expect(result.fileData).toBe(big);
    expect(result).toMatchObject({ postId: 'pst_1', width: 3 });
  });
});
