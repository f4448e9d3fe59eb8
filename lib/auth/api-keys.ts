/**
 * API key format and hashing. A key is `pf_live_` + a 12-character lookup id + a 32-character
 * secret, all base62 from the crypto RNG. Only the SHA-256 of the whole key is stored; the
 * lookup id (not secret) finds the record, then the hashes are compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { randomString } from '../ids.ts';

export const KEY_PREFIX = 'pf_live_';
const LOOKUP_ID_LENGTH = 12;
const SECRET_LENGTH = 32;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** media-api.md §1: `pf_live_` then at least 32 of [A-Za-z0-9_-]. The upper bound stops junk. */
const KEY_SHAPE = /^pf_live_[A-Za-z0-9_-]{32,200}$/;

export interface GeneratedApiKey {
  /** The record id, `key_<lookup id>`: safe to print and log. */
  keyId: string;
  /** The secret shown once to the operator. */
  key: string;
  keyHash: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): GeneratedApiKey {
  const lookupId = randomString(LOOKUP_ID_LENGTH, BASE62);
  const key = `${KEY_PREFIX}${lookupId}${randomString(SECRET_LENGTH, BASE62)}`;
  return { keyId: `key_${lookupId}`, key, keyHash: hashApiKey(key) };
}

/** The record id a well-formed key points at, or null when the key cannot be one of ours. */
export function keyIdOf(key: string): string | null {
  if (!KEY_SHAPE.test(key)) return null;
  const lookupId = key.slice(KEY_PREFIX.length, KEY_PREFIX.length + LOOKUP_ID_LENGTH);
  return /^[0-9A-Za-z]{12}$/.test(lookupId) ? `key_${lookupId}` : null;
}

export function hashesMatch(presentedKey: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(presentedKey), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/**
 * Extracts the key from `Authorization: Bearer …` or `X-API-Key: …`. Returns null for a
 * missing, ambiguous (both headers, several values) or malformed header; the caller answers 401.
 * Header names arrive lower-cased from API Gateway (payload 2.0).
 */
export function presentedApiKey(headers: Record<string, string | undefined>): string | null {
  const authorization = headers.authorization;
  const apiKeyHeader = headers['x-api-key'];
  if (authorization !== undefined && apiKeyHeader !== undefined) return null;
  if (apiKeyHeader !== undefined) return KEY_SHAPE.test(apiKeyHeader) ? apiKeyHeader : null;
  if (authorization === undefined) return null;
  const match = /^Bearer ([^\s,]+)$/i.exec(authorization.trim());
  if (!match?.[1]) return null;
  return KEY_SHAPE.test(match[1]) ? match[1] : null;
}
