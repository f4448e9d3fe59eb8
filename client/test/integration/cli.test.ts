/**
 * The media CLI against the real local stack: every command in-process (argv in, exit code and
 * output out), the progress bar on a terminal, resuming with --resume, and the real
 * `npm run media` process for the 20 MB upload of operations.md and its exit codes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../../test/support/seed.ts';
import { apiUrl } from '../../../test/support/stack.ts';
import { runMediaCli } from '../../src/cli/main.ts';
import type { FetchLike } from '../../src/transport.ts';
import { cutOffAfter, recordingFetch } from '../fake-fetch.ts';
import { freshPost, png, pngOfSize, seed } from '../stack-client.ts';

const MB = 1024 * 1024;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

let s: Scenario;
let dir: string;
beforeAll(async () => {
  s = await seed();
  dir = await mkdtemp(join(tmpdir(), 'media-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
  /** stdout as JSON (one value) */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  json: any;
}

async function media(
  argv: string[],
  options: {
    key?: string;
    fetch?: FetchLike;
    /** stderr is a terminal */
    tty?: boolean;
    stdoutTty?: boolean;
    env?: Record<string, string>;
  } = {},
): Promise<Run> {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.stdoutTty === true });
  const stderr = Object.assign(new PassThrough(), { isTTY: options.tty === true });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await runMediaCli(
    argv,
    { stdout, stderr },
    {
      env: {
        MEDIA_API_URL: apiUrl(),
        MEDIA_API_KEY: options.key ?? s.author.key,
        ...options.env,
      },
      cwd: dir,
      retryBaseDelayMs: 1,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
  );
  const bytes = Buffer.concat(out);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { code, stdout: bytes, stderr: Buffer.concat(err).toString('utf8'), json };
}

const lines = (run: Run) =>
  run.stdout
    .toString('utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe('commands', () => {
  it('upload prints the attachment; get, hold, delete and restore print the API answers', async () => {
    await writeFile(join(dir, 'pic.png'), png);
    const uploaded = await media(['upload', 'pic.png', '--post', s.posts.published]);
    expect(uploaded).toMatchObject({ code: 0, stderr: '' });
    expect(uploaded.json).toMatchObject({ fileName: 'pic.png', fileSize: png.length });
    const id: string = uploaded.json.id;

    expect((await media(['get', id])).json).toMatchObject({ id, legalHold: false });
    const held = await media(['hold', id, '--on'], { key: s.owner.key });
    expect(held).toMatchObject({ code: 0, json: { id, legalHold: true } });
    const refused = await media(['delete', id]);
    expect(refused.code).toBe(1);
    expect(refused.stdout.length).toBe(0);
    expect(JSON.parse(refused.stderr)).toMatchObject({
      error: { code: 'legal_hold', message: expect.any(String) },
      status: 409,
    });
    expect((await media(['hold', id, '--off'], { key: s.owner.key })).json.legalHold).toBe(false);
    const deleted = await media(['delete', id]);
    expect(deleted).toMatchObject({ code: 0, json: { id, deleted: true } });
    const restored = await media(['restore', id], { key: s.owner.key });
    expect(restored).toMatchObject({ code: 0, json: { id, url: uploaded.json.url } });
  });

  it('--name and --type override what the file name says', async () => {
    await writeFile(join(dir, 'no-extension'), png);
    const run = await media([
      'upload',
      'no-extension',
      '--post',
      s.posts.published,
      '--name',
      'Cover Photo.png',
      '--type',
      'image/png',
    ]);
    expect(run.json).toMatchObject({ originalFileName: 'Cover Photo.png', mimeType: 'image/png' });
  });

  it('list prints one page as the API does; list --all every item as JSON lines', async () => {
    const postId = await freshPost(s);
    const ids = [];
    for (let i = 0; i < 3; i++) {
      await writeFile(join(dir, `p${i}.png`), pngOfSize(png.length + 8));
      ids.unshift((await media(['upload', `p${i}.png`, '--post', postId])).json.id);
    }
    const page = await media(['list', '--post', postId, '--limit', '2']);
    expect(page.code).toBe(0);
    expect(Object.keys(page.json).sort()).toEqual(['hasMore', 'items', 'nextCursor']);
    expect(page.json.items).toHaveLength(2);
    expect(page.json.hasMore).toBe(true);
    const next = await media(['list', '--post', postId, '--cursor', page.json.nextCursor]);
    expect(next.json.items.map((i: { id: string }) => i.id)).toEqual([ids[2]]);

    const all = await media(['list', '--post', postId, '--limit', '1', '--all']);
    expect(all.code).toBe(0);
    const items = lines(all);
    expect(new Set(items.map((i) => i.id))).toEqual(new Set(ids));
    expect(items.every((i) => i.postId === postId)).toBe(true);
    expect((await media(['list', '--post', postId, '--type', 'audio'])).json.items).toEqual([]);
  });

  it('download writes the exact bytes to a file or to stdout', async () => {
    const bytes = pngOfSize(5 * MB);
    await writeFile(join(dir, 'five.png'), bytes);
    const { json } = await media(['upload', 'five.png', '--post', s.posts.published]);
    const toFile = await media(['download', json.id, '-o', 'copy.png']);
    expect(toFile).toMatchObject({ code: 0, stderr: '' });
    expect((await readFile(join(dir, 'copy.png'))).equals(bytes)).toBe(true);
    await expect(stat(join(dir, 'copy.png.part'))).rejects.toThrow();
    const toStdout = await media(['download', json.url]);
    expect(toStdout.stdout.equals(bytes)).toBe(true);
  }, 60_000);

  it('limits prints the limits in force', async () => {
    const run = await media(['limits']);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ maxUploadBytes: expect.any(Number) });
  });
});

describe('progress and resuming', () => {
  it('draws a progress bar on a terminal and nothing when stderr is not one', async () => {
    await writeFile(join(dir, 'six.png'), pngOfSize(6 * MB));
    const onTty = await media(['upload', 'six.png', '--post', s.posts.published], { tty: true });
    expect(onTty.code).toBe(0);
    expect(onTty.stderr).toContain('six.png [');
    expect(onTty.stderr).toContain('100% | 6.0/6.0 MB');
    expect(onTty.json).toMatchObject({ fileSize: 6 * MB });
    const piped = await media(['upload', 'six.png', '--post', s.posts.published]);
    expect(piped).toMatchObject({ code: 0, stderr: '' });
  }, 60_000);

  it('--resume keeps the state of an interrupted upload and the same command finishes it', async () => {
    const postId = await freshPost(s);
    await writeFile(join(dir, 'seven.png'), pngOfSize(7 * MB));
    const argv = ['upload', 'seven.png', '--post', postId, '--resume', 'seven.state'];
    const cut = recordingFetch((request) =>
      request.method === 'PUT' ? cutOffAfter(request, MB) : undefined,
    );
    const interrupted = await media(argv, { fetch: cut.fetch });
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toContain('run the same command to resume');
    const state = JSON.parse(await readFile(join(dir, 'seven.state'), 'utf8'));
    expect(state.session.uploadId).toMatch(/^upl_/);

    const resumed = await media(argv);
    expect(resumed.code).toBe(0);
    expect(resumed.json).toMatchObject({ postId, fileSize: 7 * MB });
    await expect(stat(join(dir, 'seven.state'))).rejects.toThrow();
    const listed = await media(['list', '--post', postId]);
    expect(listed.json.items.map((i: { id: string }) => i.id)).toEqual([resumed.json.id]);
  }, 60_000);
});

describe('errors and usage', () => {
  it('exit 1 with the API envelope on stderr', async () => {
    const run = await media(['get', 'att_00000000000000000000']);
    expect(run.code).toBe(1);
    expect(run.stdout.length).toBe(0);
    expect(JSON.parse(run.stderr)).toMatchObject({
      error: { code: 'not_found' },
      status: 404,
      requestId: expect.any(String),
    });
    const unauthorised = await media(['list'], { key: `pf_live_${'x'.repeat(40)}` });
    expect(unauthorised.code).toBe(1);
    expect(JSON.parse(unauthorised.stderr).error.code).toBe('unauthorized');
  });

  it.each([
    ['clip.mp4', 'video/mp4'],
    ['scene.glb', 'model/gltf-binary'],
  ])(
    "upload of %s: the API's answer for video and 3D models (415, web interface)",
    async (name, type) => {
      await writeFile(join(dir, name), Buffer.from('not really a video or a model'));
      const postId = await freshPost(s);
      const run = await media(['upload', name, '--post', postId]);
      expect(run.code).toBe(1);
      expect(run.stdout.length).toBe(0);
      const answer = JSON.parse(run.stderr);
      expect(answer).toMatchObject({ status: 415, error: { code: 'unsupported_media_type' } });
      expect(answer.error.message).toMatch(/web interface/);
      expect(answer.error.message).toContain(type.split('/')[0] === 'video' ? 'Video' : '3D');
    },
  );

  it.each([
    [['upload', 'pic.png'], /missing --post/],
    [['upload', 'missing.png', '--post', 'pst_1'], /cannot read missing.png/],
    [['frobnicate'], /unknown command/],
    [['get'], /expects ID/],
    [['hold', 'att_1'], /exactly one of --on, --off/],
    [['list', '--limit', 'ten'], /--limit must be a positive integer/],
    [['get', 'att_1', '--post', 'p'], /--post is not an option of get/],
    [['list', '--bogus'], /Unknown option '--bogus'/],
  ])('exit 2 for %j', async (argv, message) => {
    const run = await media(argv);
    expect(run.code).toBe(2);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr).toMatch(message);
  });

  it('exit 2 for a download to a terminal (binary garbage), before any request', async () => {
    const run = await media(['download', 'att_00000000000000000000'], { stdoutTty: true });
    expect(run).toMatchObject({ code: 2 });
    expect(run.stderr).toMatch(/stdout is a terminal/);
  });

  it('exit 2 without a URL or a key', async () => {
    const run = await media(['list'], { env: { MEDIA_API_URL: '' } });
    expect(run).toMatchObject({ code: 2 });
    expect(run.stderr).toMatch(/MEDIA_API_URL/);
  });

  it('--help prints the usage', async () => {
    const run = await media(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toContain('upload FILE --post P');
  });
});

/** `npm run --silent media -- …` from `cwd`, as a person would type it. */
function npmRunMedia(args: string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((done, fail) => {
    const child = spawn('npm', ['--prefix', repoRoot, 'run', '--silent', 'media', '--', ...args], {
      cwd,
      env: { ...process.env, ...env },
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout: Buffer.concat(out), stderr }));
  });
}

describe('npm run media (a real process)', () => {
  it('uploads 20 MB through a session from the current directory and exits 0', async () => {
    const bytes = pngOfSize(20 * MB);
    await writeFile(join(dir, 'big.png'), bytes);
    const env = { MEDIA_API_URL: apiUrl(), MEDIA_API_KEY: s.author.key };
    const run = await npmRunMedia(['upload', 'big.png', '--post', s.posts.published], dir, env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const attachment = JSON.parse(run.stdout.toString('utf8'));
    expect(attachment).toMatchObject({ fileName: 'big.png', fileSize: 20 * MB });

    const copy = await npmRunMedia(['download', attachment.id, '-o', 'big-copy.png'], dir, env);
    expect(copy.code).toBe(0);
    expect((await readFile(join(dir, 'big-copy.png'))).equals(bytes)).toBe(true);
  }, 120_000);

  it('exits 2 on a usage error and 1 on an API error', async () => {
    const env = { MEDIA_API_URL: apiUrl(), MEDIA_API_KEY: s.author.key };
    const usage = await npmRunMedia(['upload', 'big.png'], dir, env);
    expect(usage.code).toBe(2);
    const missing = await npmRunMedia(['get', 'att_00000000000000000000'], dir, env);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr).error.code).toBe('not_found');
  }, 60_000);
});
