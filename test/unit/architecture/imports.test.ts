/**
 * The import structure stays layered: the domain library (`lib/`) never reaches up into the
 * dev stack (`local/`) or the entry points, and no module imports itself through others (an
 * import cycle makes load order matter and hides which module owns what). Type-only imports
 * count too: they tie the modules together just the same for a reader.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const SOURCE_DIRS = ['lib', 'functions', 'local', 'infra', 'scripts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file));
}

/** Relative `.ts` specifiers of static imports, re-exports and dynamic imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/\bfrom\s+'(\.{1,2}\/[^']+\.ts)'/g),
    ...text.matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+\.ts)'\s*\)/g),
  ].map((match) => match[1] as string);
  return specifiers.map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)));
}

const graph = new Map(SOURCE_DIRS.flatMap(sourceFiles).map((file) => [file, importsOf(file)]));

/** Every cycle's modules (strongly connected components of more than one module, or a self-import). */
function cycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) as number, index.get(target) as number));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('import structure', () => {
  it('lib/ never imports local/, scripts/ or functions/', () => {
    const upward = [...graph]
      .filter(([file]) => file.startsWith('lib/'))
      .flatMap(([file, targets]) =>
        targets
          .filter((target) => /^(local|scripts|functions)\//.test(target))
          .map((target) => `${file} -> ${target}`),
      );
    expect(upward).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('sees the imports it checks (the scan is not vacuous)', () => {
    expect(graph.get('lib/storage/configured-store.ts')).toContain('lib/storage/media-store.ts');
  });
});
