/**
 * The CommonJS stand-ins of `infra/node-builtins/` that the bundles import instead of ESM
 * `node:http`/`node:https` (BUILTIN_ALIASES in infra/bundling.ts): each is the built-in itself.
 */
import { createRequire, isBuiltin } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ALIASES } from '../../infra/bundling.ts';

const require = createRequire(import.meta.url);

describe('BUILTIN_ALIASES', () => {
  it.each(Object.entries(BUILTIN_ALIASES))('%s → the built-in module itself', (name, file) => {
    expect(isBuiltin(name)).toBe(true);
    expect(require(file)).toBe(require(name));
  });

  it('covers both spellings of http and https', () => {
    expect(Object.keys(BUILTIN_ALIASES).sort()).toEqual([
      'http',
      'https',
      'node:http',
      'node:https',
    ]);
  });
});
