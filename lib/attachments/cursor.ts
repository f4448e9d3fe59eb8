/**
 * List cursors: base64 of `{"createdAt":<ms>,"id":"att_…"}` for the last item of a page
 * (media-api.md §2). Both base64 and base64url are accepted; anything else is `invalid_cursor`.
 */
import { InvalidCursorError } from '../errors.ts';
import { isId } from '../ids.ts';

export interface ListPosition {
  createdAt: number;
  id: string;
}

const MAX_CURSOR_LENGTH = 512;

export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ createdAt: position.createdAt, id: position.id })).toString(
    'base64',
  );
}

export function decodeCursor(cursor: string): ListPosition {
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
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidCursorError();
  }
  const { createdAt, id, ...rest } = parsed as Record<string, unknown>;
  if (
    Object.keys(rest).length > 0 ||
    typeof createdAt !== 'number' ||
    !Number.isSafeInteger(createdAt) ||
    createdAt < 0 ||
    !isId('attachment', id)
  ) {
    throw new InvalidCursorError();
  }
  return { createdAt, id };
}
