/**
 * List cursors: base64 of `{"createdAt":<ms>,"id":"att_…"}` for the last item of a page
 * (media-api.md §2). Both base64 and base64url are accepted; anything else is `invalid_cursor`.
 *
 * A page can come back short (`hasMore: true`, fewer items than asked) when the work budget of
 * one request ran out while skipping attachments the caller cannot see. Its cursor must not
 * name the last entry examined (that would reveal the id and upload time of a hidden
 * attachment), yet the next page must resume after it, or a long run of hidden entries could
 * never be passed. Such a cursor carries the last item *returned* (or, on an empty page, the
 * position it started from, or `TOP_POSITION` on a first page) plus `resume`: the position
 * of the last entry examined, sealed with AES-256-GCM under a key only the service knows
 * (`MEDIA_CURSOR_SECRET`) and bound to the public position. Callers can neither read nor
 * move it; a `resume` that does not open (another secret, e.g. a local restart) is ignored
 * and the page resumes from the public position: slower, never wrong.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { listSortKey } from '../../db/keys.ts';
import { InvalidCursorError } from '../../errors.ts';
import { isId } from '../../ids.ts';

export interface ListPosition {
  createdAt: number;
  id: string;
}

/** What a cursor says: list after `start`; `position` is its public part. */
export interface DecodedCursor {
  position: ListPosition;
  start: ListPosition;
}

/** Sorts before every attachment (newest first): a first page's public position. */
export const TOP_POSITION: ListPosition = {
  createdAt: 999_999_999_999_999,
  id: `att_${'z'.repeat(20)}`,
};

const MAX_CURSOR_LENGTH = 512;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Seals and opens resume positions with one secret. */
export class CursorSeal {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(`media-list-cursor\u0000${secret}`).digest();
  }

  seal(resume: ListPosition, boundTo: ListPosition): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(listSortKey(boundTo.createdAt, boundTo.id)));
    const body = Buffer.concat([cipher.update(positionJson(resume)), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The sealed position, or null when it was not sealed by this secret for `boundTo`. */
  open(sealed: string, boundTo: ListPosition): ListPosition | null {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length <= NONCE_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(listSortKey(boundTo.createdAt, boundTo.id)));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const body = Buffer.concat([
        decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return positionFrom(JSON.parse(body.toString('utf8')));
    } catch {
      return null;
    }
  }
}

let processSeal: CursorSeal | undefined;

/**
 * The seal of this process: `MEDIA_CURSOR_SECRET` (read on first use), or a random secret of
 * its own.
 */
export function defaultCursorSeal(): CursorSeal {
  processSeal ??= new CursorSeal(
    process.env.MEDIA_CURSOR_SECRET || randomBytes(32).toString('hex'),
  );
  return processSeal;
}

const positionJson = (position: ListPosition): string =>
  JSON.stringify({ createdAt: position.createdAt, id: position.id });

function positionFrom(value: unknown): ListPosition | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { createdAt, id } = value as Record<string, unknown>;
  if (
    typeof createdAt !== 'number' ||
    !Number.isSafeInteger(createdAt) ||
    createdAt < 0 ||
    !isId('attachment', id)
  ) {
    return null;
  }
  return { createdAt, id };
}

/** A cursor at `position`; with `resume`, the next page starts after that (sealed) position. */
export function encodeCursor(
  position: ListPosition,
  resume?: { position: ListPosition; seal: CursorSeal },
): string {
  const json = resume
    ? JSON.stringify({
        createdAt: position.createdAt,
        id: position.id,
        resume: resume.seal.seal(resume.position, position),
      })
    : positionJson(position);
  return Buffer.from(json).toString('base64');
}

/** Where a cursor resumes: after its sealed position when it opens, else after its own. */
export function decodeCursor(
  cursor: string,
  seal: CursorSeal = defaultCursorSeal(),
): DecodedCursor {
  if (
    cursor.length === 0 ||
    cursor.length > MAX_CURSOR_LENGTH ||
    !/^[A-Za-z0-9+/_-]+={0,2}$/.test(cursor)
  ) {
    throw new InvalidCursorError();
  }
  let parsed: unknown;
  try {
    const normalised = cursor.replaceAll('-', '+').replaceAll('_', '/');
    parsed = JSON.parse(Buffer.from(normalised, 'base64').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const position = positionFrom(parsed);
  if (position === null) throw new InvalidCursorError();
  const { createdAt: _c, id: _i, resume, ...rest } = parsed as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || (resume !== undefined && typeof resume !== 'string')) {
    throw new InvalidCursorError();
  }
  const opened = typeof resume === 'string' ? seal.open(resume, position) : null;
  // A sealed position is only ever further down the list than the public one.
  const start =
    opened &&
    listSortKey(opened.createdAt, opened.id) < listSortKey(position.createdAt, position.id)
      ? opened
      : position;
  return { position, start };
}
