/**
 * What the bundles import instead of the real module (infra/bundling.ts): the CommonJS stand-ins
 * of `infra/stand-ins/` for ESM `node:http`/`node:https` (BUILTIN_ALIASES), and the packages
 * replaced because the code importing them never runs (STAND_IN_ALIASES).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_ALIASES,
  INSTALLED_PACKAGES,
  NODE_TARGET,
  STAND_IN_ALIASES,
} from '../../infra/bundling.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';

const require = createRequire(import.meta.url);

/** Every function's entry point (functions/<name>/handler.ts). */
function handlers(): string[] {
  const dir = path.join(PROJECT_ROOT, 'functions');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(dir, entry.name, 'handler.ts'));
}

/** Source files of lib/ and functions/ (tests excluded). */
function sources(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => path.join(PROJECT_ROOT, dir, file));
}

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

describe('STAND_IN_ALIASES', () => {
  it('replaces semver only, with a module that says why it is missing when called', () => {
    expect(Object.keys(STAND_IN_ALIASES)).toEqual(['semver']);
    const standIn = require(STAND_IN_ALIASES.semver as string) as { gte: () => boolean };
    expect(() => standIn.gte()).toThrow(/captureAWS.*not supported.*captureAWSv3Client/);
  });

  it("semver's only importer in every function is the X-Ray SDK's AWS SDK v2 patcher", async () => {
    // Built as deployed but with the real semver, to see who would import it.
    const { metafile } = await build({
      entryPoints: handlers(),
      bundle: true,
      write: false,
      outdir: path.join(tmpdir(), 'bundle-aliases'),
      platform: 'node',
      format: 'esm',
      target: NODE_TARGET,
      mainFields: ['module', 'main'],
      external: Object.values(INSTALLED_PACKAGES).flat(),
      alias: { ...BUILTIN_ALIASES },
      metafile: true,
      logLevel: 'silent',
    });
    const importers = Object.entries(metafile.inputs)
      .filter(([, input]) =>
        input.imports.some((i) => (i.original ?? i.path).split('/')[0] === 'semver'),
      )
      // Relative to the working directory: node_modules may be elsewhere (a linked install).
      .map(([file]) => file.replace(/^.*?node_modules\//, 'node_modules/'));
    expect(importers).toEqual(['node_modules/aws-xray-sdk-core/dist/lib/patchers/aws_p.js']);
  });

  it('no code of the service calls the AWS SDK v2 patcher (captureAWS, captureAWSClient)', () => {
    const callers = [...sources('lib'), ...sources('functions')].filter((file) =>
      /\bcaptureAWS(Client)?\s*\(/.test(readFileSync(file, 'utf8')),
    );
    expect(callers).toEqual([]);
  });
});
