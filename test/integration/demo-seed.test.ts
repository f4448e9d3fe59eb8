/**
 * The demo seeding of `npm start` (local/demo.ts) on the test stack's stores: it seeds under any
 * legal setting, and a start interrupted while seeding is finished by the next one instead of
 * seeding a second workspace.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getAttachment } from '../../lib/attachments/records.ts';
import { getWorkspace } from '../../lib/directory/workspaces.ts';
import { demoFiles, type LocalDemo, loadOrSeedDemo } from '../../local/demo.ts';
import { findFreePort } from '../../local/processes.ts';
import type { LocalStack } from '../../local/stack.ts';
import { testConfig, testTable } from '../support/stack.ts';

const SAMPLES = ['weekly-update.pdf', 'q3-plans-voice-note.wav', 'launch-banner.png'];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** What loadOrSeedDemo uses of a stack, on the test stack's stores. */
async function stackOn(config = testConfig()): Promise<LocalStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'media-demo-seed-'));
  dirs.push(dataDir);
  return {
    dataDir,
    config,
    tableContext: testTable(),
    processingIdle: async () => {},
  } as unknown as LocalStack;
}

const readDemo = async (stack: LocalStack): Promise<LocalDemo> =>
  JSON.parse(await readFile(demoFiles(stack.dataDir).json, 'utf8'));

describe('demo seeding', () => {
  it('seeds every sample with its author, as stored records', async () => {
    const stack = await stackOn();
    const { demo, seeded } = await loadOrSeedDemo(stack);
    expect(seeded).toBe(true);
    expect(demo.attachments?.map((a) => a.fileName)).toEqual(SAMPLES);
    for (const sample of demo.attachments ?? []) {
      expect(await getAttachment(testTable(), sample.id)).toMatchObject({
        postId: sample.postId,
        workspaceId: demo.workspaceId,
      });
    }
    expect(await readDemo(stack)).toEqual(demo);
    expect(demo.seeding).toBeUndefined();
  });

  it('leaves out, with one line each, the samples over MEDIA_MAX_UPLOAD_BYTES', async () => {
    const stack = await stackOn({ ...testConfig(), maxUploadBytes: 10_000 });
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      const { demo } = await loadOrSeedDemo(stack);
      expect(demo.attachments?.map((a) => a.fileName)).toEqual(['weekly-update.pdf']);
    } finally {
      console.log = log;
    }
    expect(lines).toEqual([
      expect.stringMatching(/^demo: q3-plans-voice-note\.wav .*over the upload limit/),
      expect.stringMatching(/^demo: launch-banner\.png .*over the upload limit/),
    ]);
  });

  it('a start interrupted while seeding is finished next time, in the same workspace', async () => {
    // The store is unreachable: the first sample's upload fails, as a start stopped there.
    const deadStore = `http://127.0.0.1:${await findFreePort()}`;
    const stack = await stackOn({ ...testConfig(), s3Endpoint: deadStore });
    await expect(loadOrSeedDemo(stack)).rejects.toThrow();
    const interrupted = await readDemo(stack);
    expect(interrupted).toMatchObject({ seeding: true, attachments: [] });
    expect(await getWorkspace(testTable(), interrupted.workspaceId)).not.toBeNull();

    const restarted = { ...stack, config: testConfig() } as LocalStack;
    const { demo, seeded } = await loadOrSeedDemo(restarted);
    expect(seeded).toBe(true);
    expect(demo.workspaceId).toBe(interrupted.workspaceId);
    expect(demo.users.owner.key).toBe(interrupted.users.owner.key);
    expect(demo.attachments?.map((a) => a.fileName)).toEqual(SAMPLES);
    expect((await readDemo(stack)).seeding).toBeUndefined();
    // And a later start reads it as it is.
    expect(await loadOrSeedDemo(restarted)).toEqual({ demo, seeded: false });
  });
});
