/**
 * The first five minutes, as a newcomer lives them: `npm start` on an empty DATA_DIR, then the
 * README's quick-start commands (taken from README.md itself, run by `sh` as written, with only
 * the file path filled in) and the two commands `npm start` prints. They must keep working:
 * the list shows the demo's sample files (the image with its thumbnail) and the upload is
 * created.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ENV_VARIABLES,
  FILE_PLACEHOLDER,
  listCommand,
  uploadCommand,
} from '../../local/demo-commands.ts';
import { mediaFixturePath } from '../support/media-fixtures.ts';
import {
  freePorts,
  HANG_BACKSTOP_MS,
  type Instance,
  killInstances,
  startInstance,
  waitReady,
} from '../support/npm-start.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const IMAGE = mediaFixturePath('image-64x48.png');
const MARKER = '<!-- quick-start:';

/** The ```sh block right after the quick-start marker in README.md. */
async function readmeQuickStart(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(MARKER);
  expect(at, 'README.md has no quick-start marker').toBeGreaterThanOrEqual(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(block, 'no ```sh block after the quick-start marker').not.toBeNull();
  return block?.[1] as string;
}

/** Consecutive JSON documents (curl -s prints bodies without a newline between them). */
function jsonSequence(text: string): unknown[] {
  const values: unknown[] = [];
  let start = 0;
  for (let end = 0; end < text.length; end++) {
    if (text[end] !== '}') continue;
    try {
      values.push(JSON.parse(text.slice(start, end + 1)));
      start = end + 1;
    } catch {
      // not the end of this document yet
    }
  }
  expect(text.slice(start).trim(), 'output that is not JSON').toBe('');
  return values;
}

/** Runs shell text the way a user pasting it would, in `cwd`; returns stdout. */
function sh(script: string, cwd: string): string {
  return execFileSync('sh', ['-c', script], { cwd, encoding: 'utf8', maxBuffer: 16 << 20 });
}

interface Attachment {
  id: string;
  fileName: string;
  fileType: string;
  thumbnailUrl: string | null;
}

function expectSamples(list: unknown): void {
  const items = (list as { items: Attachment[] }).items;
  expect(items.map((item) => item.fileName).sort()).toEqual(
    expect.arrayContaining(['launch-banner.png', 'q3-plans-voice-note.wav', 'weekly-update.pdf']),
  );
  const image = items.find((item) => item.fileName === 'launch-banner.png');
  expect(image?.thumbnailUrl).toMatch(/^\/api\/media\/thumbnails\//);
}

function expectCreated(upload: unknown): void {
  expect(upload).toMatchObject({ id: expect.stringMatching(/^att_/), fileName: 'image-64x48.png' });
}

describe('the first five minutes (README quick start and the npm start banner)', () => {
  let workDir: string;
  let instance: Instance;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'media-readme-'));
    // `.data` in the directory the commands run in, as for someone in their clone.
    await mkdir(join(workDir, '.data'));
    instance = startInstance(join(workDir, '.data'), await freePorts());
    await waitReady(instance);
  }, HANG_BACKSTOP_MS);

  afterAll(async () => {
    killInstances();
    await rm(workDir, { recursive: true, force: true });
  });

  it('README: the commands are the ones npm start prints', async () => {
    const block = await readmeQuickStart();
    expect(block).toContain(listCommand(DEMO_ENV_VARIABLES));
    expect(block).toContain(uploadCommand(DEMO_ENV_VARIABLES));
  });

  it('README: the list shows the samples, the upload is created', async () => {
    const block = await readmeQuickStart();
    expect(block).toContain(FILE_PLACEHOLDER);
    const [list, upload, ...rest] = jsonSequence(
      sh(block.replace(FILE_PLACEHOLDER, IMAGE), workDir),
    );
    expect(rest).toEqual([]);
    expectSamples(list);
    expectCreated(upload);
  });

  it('banner: lists each demo post with its id, project visibility, status and author role', async () => {
    const demo = JSON.parse(await readFile(join(workDir, '.data/demo.json'), 'utf8'));
    expect(demo.postList).toHaveLength(3);
    for (const post of demo.postList) {
      const line =
        instance
          .output()
          .split('\n')
          .find((l) => l.includes(post.id)) ?? '';
      expect(line).toContain(`${post.projectVisibility} project`);
      expect(line).toContain(post.status);
      expect(line).toContain(`author: ${post.authorRole}`);
    }
  });

  it('banner: both printed commands work as printed', () => {
    const output = instance.output();
    const commandsAfter = (heading: RegExp) => {
      const lines = output.slice(output.search(heading)).split('\n').slice(1);
      const end = lines.findIndex((line) => line.trim() === '');
      return lines
        .slice(0, end)
        .map((line) => line.replace(/^ {2}/, ''))
        .join('\n');
    };
    const list = commandsAfter(/^List what the member sees:/m);
    const upload = commandsAfter(/^Upload a file as the member/m);
    expect(upload).toContain(FILE_PLACEHOLDER);
    expectSamples(jsonSequence(sh(list, workDir))[0]);
    expectCreated(jsonSequence(sh(upload.replace(FILE_PLACEHOLDER, IMAGE), workDir))[0]);
  });
});
