/**
 * Entity ids: a type prefix and 20 random characters of [0-9a-z] from the crypto RNG.
 * Lower-case alphanumerics keep ids URL- and S3-key-safe (the attachment id is part of the
 * file's URL) and make `id descending` a plain string comparison.
 */
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
export const ID_RANDOM_LENGTH = 20;

export const ID_PREFIXES = {
  workspace: 'ws',
  user: 'usr',
  apiKey: 'key',
  project: 'prj',
  post: 'pst',
  attachment: 'att',
  uploadSession: 'upl',
} as const;

export type EntityKind = keyof typeof ID_PREFIXES;

export function randomString(length: number, alphabet = ALPHABET): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export function newId(kind: EntityKind): string {
  return `${ID_PREFIXES[kind]}_${randomString(ID_RANDOM_LENGTH)}`;
}

/** True when `value` has the shape of an id of this kind (cheap pre-check before a lookup). */
export function isId(kind: EntityKind, value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= 64 &&
    new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-z]+$`).test(value)
  );
}
