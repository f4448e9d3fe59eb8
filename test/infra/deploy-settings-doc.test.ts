/**
 * README's Deploy section lists every setting: each context key infra/context.ts reads and each
 * prop of `MediaServiceProps`. A key or prop added without a README row fails here.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'constructs';
import { describe, expect, it } from 'vitest';
import { stackPropsFromContext } from '../../infra/context.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const deploySection = readme.slice(readme.indexOf('\n## Deploy'), readme.indexOf('\n## Operate'));

/** `` `name` `` inside a cell of a Markdown table row. */
const inTableCell = (name: string) => new RegExp(`^\\|.*\`${name}\`.*\\|$`, 'm');

/** The context keys the app reads: every `tryGetContext` call, with nothing set. */
function contextKeys(): string[] {
  const keys = new Set<string>();
  const node = {
    tryGetContext: (key: string) => {
      keys.add(key);
      return undefined;
    },
  } as unknown as Node;
  stackPropsFromContext(node);
  return [...keys];
}

/** The top-level members of `interface MediaServiceProps`, read from its source. */
function constructProps(): string[] {
  const source = readFileSync(path.join(PROJECT_ROOT, 'infra/media-service-props.ts'), 'utf8');
  const body = /export interface MediaServiceProps \{\n([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1] as string);
}

describe("README's Deploy settings", () => {
  it('finds the section, the context keys and the props (the harness reads something)', () => {
    expect(deploySection.length).toBeGreaterThan(1000);
    expect(contextKeys()).toEqual(expect.arrayContaining(['stage', 'keepLocation']));
    expect(constructProps()).toEqual(expect.arrayContaining(['stageName', 'cdn', 'alarms']));
  });

  it.each(contextKeys())('names the context key %s in a table row', (key) => {
    expect(deploySection).toMatch(inTableCell(key));
  });

  it.each(constructProps())('names the construct prop %s in a table row', (prop) => {
    expect(deploySection).toMatch(inTableCell(prop));
  });
});
