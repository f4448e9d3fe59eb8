import { describe, expect, it } from 'vitest';
import {
  generateApiKey,
  hashApiKey,
  hashesMatch,
  KEY_PREFIX,
  keyIdOf,
  presentedApiKey,
} from '../../../lib/auth/api-keys.ts';
import { hasScope } from '../../../lib/auth/scopes.ts';

describe('generateApiKey', () => {
  it('makes pf_live_ keys with at least 32 random characters and only their hash', () => {
    const generated = generateApiKey();
    expect(generated.key).toMatch(/^pf_live_[A-Za-z0-9_-]{32,}$/);
    expect(generated.keyHash).toBe(hashApiKey(generated.key));
    expect(generated.keyHash).not.toContain(generated.key.slice(KEY_PREFIX.length));
    expect(keyIdOf(generated.key)).toBe(generated.keyId);
  });

  it('never repeats', () => {
    const keys = new Set(Array.from({ length: 500 }, () => generateApiKey().key));
    expect(keys.size).toBe(500);
  });
});

describe('hashesMatch', () => {
  it('accepts the key and rejects a one-character change', () => {
    const { key, keyHash } = generateApiKey();
    expect(hashesMatch(key, keyHash)).toBe(true);
    const tampered = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    expect(hashesMatch(tampered, keyHash)).toBe(false);
    expect(hashesMatch(key, 'not-a-hash')).toBe(false);
  });
});

describe('presentedApiKey', () => {
  const { key } = generateApiKey();

  it('reads Authorization: Bearer and X-API-Key', () => {
    expect(presentedApiKey({ authorization: `Bearer ${key}` })).toBe(key);
    expect(presentedApiKey({ authorization: `bearer ${key}` })).toBe(key);
    expect(presentedApiKey({ 'x-api-key': key })).toBe(key);
  });

  it.each([
    ['no header', {}],
    ['Bearer alone', { authorization: 'Bearer' }],
    ['Bearer and a space', { authorization: 'Bearer ' }],
    ['wrong scheme', { authorization: `Basic ${key}` }],
    ['wrong prefix', { authorization: 'Bearer pf_test_abcdefghijklmnopqrstuvwxyz0123456789' }],
    ['too short', { 'x-api-key': 'pf_live_short' }],
    ['10 KB of junk', { authorization: `Bearer pf_live_${'x'.repeat(10_240)}` }],
    ['binary junk', { 'x-api-key': 'pf_live_\u0000\u0001'.padEnd(60, '\u00ff') }],
    ['two keys in one header', { authorization: `Bearer ${key}, Bearer ${key}` }],
    ['two X-API-Key headers (joined by API Gateway)', { 'x-api-key': `${key},${key}` }],
    ['both headers', { authorization: `Bearer ${key}`, 'x-api-key': key }],
  ])('rejects %s', (_name, headers) => {
    expect(presentedApiKey(headers)).toBeNull();
  });
});

describe('hasScope', () => {
  it('lets write imply read but not the reverse', () => {
    expect(hasScope(['media:write'], 'media:read')).toBe(true);
    expect(hasScope(['media:read'], 'media:write')).toBe(false);
    expect(hasScope([], 'media:read')).toBe(false);
  });
});
