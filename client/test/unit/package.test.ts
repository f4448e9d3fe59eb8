/**
 * The package as it is published: `npm run build` (tsc) compiles it to dist/, which plain Node
 * (no TypeScript loader) imports by the package's name, and whose `media` bin runs.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const clientDir = new URL('../../', import.meta.url);
const tsc = new URL('../../../node_modules/typescript/bin/tsc', import.meta.url);

beforeAll(async () => {
  await run(process.execPath, [tsc.pathname, '-p', 'tsconfig.build.json'], {
    cwd: clientDir,
  });
}, 60_000);

it('exports the client and its error types, with declarations', async () => {
  const script = `
    const m = await import('@media-attachments/client');
    console.log(JSON.stringify(Object.keys(m).sort()));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: clientDir,
  });
  expect(JSON.parse(stdout)).toEqual([
    'DEFAULT_LIMITS',
    'DEFAULT_RETRY_POLICY',
    'MediaApiError',
    'MediaClient',
    'UploadInterruptedError',
  ]);
  const declarations = await readFile(new URL('dist/index.d.ts', clientDir), 'utf8');
  expect(declarations).toContain('MediaClient');
});

it('its media bin prints the usage', async () => {
  const manifest = JSON.parse(await readFile(new URL('package.json', clientDir), 'utf8'));
  const bin = new URL(manifest.bin.media, clientDir);
  const { stdout } = await run(process.execPath, [bin.pathname, '--help']);
  expect(stdout).toContain('Usage: media <command>');
});
