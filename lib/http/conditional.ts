/**
 * Conditional and range requests (RFC 9110 §13, §14) for representations the API answers
 * itself: strong ETags from SHA-256 digests, `If-None-Match` → 304, and one byte range → 206
 * or 416. Parsing and comparison are jshttp's `fresh` and `range-parser` (what Express uses),
 * not our own.
 */
import { createHash } from 'node:crypto';
import fresh from 'fresh';
import parseRange from 'range-parser';

/** A strong validator from a SHA-256 (hex): the same bytes always get the same ETag. */
export const strongETag = (sha256Hex: string): string => `"${sha256Hex}"`;

export const etagOfText = (text: string): string =>
  strongETag(createHash('sha256').update(text).digest('hex'));

type RequestHeaders = Record<string, string | undefined>;

/** True when the client's `If-None-Match` already names `etag` (answer 304). */
export function isNotModified(headers: RequestHeaders, etag: string): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (!ifNoneMatch) return false;
  // Only the validator: a request's `Cache-Control: no-cache` (fetch adds one to conditional
  // requests) addresses caches, and an origin still answers 304 (RFC 9111 §5.2.1.4).
  return fresh({ 'if-none-match': ifNoneMatch }, { etag });
}

export type RangeOutcome =
  | { kind: 'whole' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * What to send of a `size`-byte representation. One satisfiable range → partial; a range
 * entirely outside → unsatisfiable (416); no, malformed or several ranges, or an `If-Range`
 * that does not match the current ETag → the whole representation (RFC 9110 allows that).
 */
export function requestedRange(headers: RequestHeaders, size: number, etag: string): RangeOutcome {
  const header = headers.range;
  if (!header) return { kind: 'whole' };
  const ifRange = headers['if-range'];
  if (ifRange !== undefined && ifRange.trim() !== etag) return { kind: 'whole' };
  const ranges = parseRange(size, header, { combine: true });
  if (ranges === -1) return { kind: 'unsatisfiable' };
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return { kind: 'whole' };
  const [range] = ranges;
  if (!range) return { kind: 'whole' };
  return { kind: 'partial', start: range.start, end: range.end };
}

export const contentRange = (range: { start: number; end: number }, size: number): string =>
  `bytes ${range.start}-${range.end}/${size}`;
