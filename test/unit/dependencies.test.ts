/**
 * No unused dependency: every package in package.json is imported by some source file, or is
 * a tool run by name (listed below with where it runs). The import rules themselves (no
 * `lib/` → `local/` import, no import cycle) are Biome rules in biome.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Packages no source file imports, and why they are still needed. */
const TOOLS: Record<string, string> = {
  '@biomejs/biome': 'npm run lint',
  typescript: 'npm run typecheck (tsc)',
  'aws-cdk': 'npm run synth/deploy (cdk)',
  node: 'pins Node 22 for npm scripts',
  tsx: 'npm start/admin (node --import tsx)',
  'swagger-ui-dist': 'files served by GET /docs (lib/openapi/reference-page.ts, resolved by path)',
};

const SKIP = new Set(['node_modules', '.git', 'cdk.out', '.data', 'client', 'fixtures', 'results']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

function importedPackages(): Set<string> {
  const found = new Set<string>();
  const specifier = /(?:from\s+|import\s*\(\s*|import\s+|require\s*\(\s*)['"]([^'"./][^'"]*)['"]/g;
  for (const file of sourceFiles(ROOT)) {
    for (const [, name] of readFileSync(file, 'utf8').matchAll(specifier)) {
      const parts = (name as string).split('/');
      found.add(name?.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string));
    }
  }
  return found;
}

describe('package.json', () => {
  it('lists no dependency that nothing uses', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    const imported = importedPackages();
    const unused = declared.filter(
      (name) =>
        !imported.has(name) &&
        !(name in TOOLS) &&
        // @types/x describes x (or Node / Lambda): used by the type checker.
        !(
          name.startsWith('@types/') &&
          (name === '@types/node' || imported.has(name.slice(7)) || name === '@types/aws-lambda')
        ),
    );
    expect(unused, `unused in ${relative(process.cwd(), join(ROOT, 'package.json'))}`).toEqual([]);
  });
});
