/**
 * The demo workspace of `npm start`: seeded on the first start (directory rows, then sample
 * attachments), kept in `DATA_DIR/demo.json` (local dev secrets; DATA_DIR is git-ignored),
 * described by the banner, and `DATA_DIR/demo.env` for the README's commands.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoSeed } from '../lib/directory/admin/demo.ts';
import {
  type DemoCommandValues,
  demoEnvFile,
  listCommand,
  uploadCommand,
} from './demo-commands.ts';
import type { DemoAttachment } from './demo-media.ts';
import type { LocalStack } from './stack.ts';

export interface LocalDemo extends DemoSeed {
  /** The sample attachments (absent from demo.json files written before they existed). */
  attachments?: DemoAttachment[];
  /** Set while the samples are being seeded: a start interrupted then finishes them next time. */
  seeding?: true;
}

function isDemoSeed(value: unknown): value is LocalDemo {
  const seed = value as LocalDemo | null;
  return (
    typeof seed?.workspaceId === 'string' &&
    typeof seed.posts?.published === 'string' &&
    ['owner', 'admin', 'member'].every(
      (role) => typeof seed.users?.[role as keyof DemoSeed['users']]?.key === 'string',
    )
  );
}

export const demoFiles = (dataDir: string) => ({
  json: join(dataDir, 'demo.json'),
  env: join(dataDir, 'demo.env'),
});

const writeDemo = (path: string, demo: LocalDemo) =>
  writeFile(path, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });

/**
 * The demo of `stack.dataDir`: read from demo.json, or seeded now. demo.json is written as soon
 * as the workspace exists and after each sample, so a start interrupted while seeding (Ctrl-C,
 * a store failing) finishes that demo next time instead of seeding a second workspace.
 */
export async function loadOrSeedDemo(
  stack: LocalStack,
): Promise<{ demo: LocalDemo; seeded: boolean }> {
  const { json } = demoFiles(stack.dataDir);
  let demo: LocalDemo | undefined;
  if (existsSync(json)) {
    const parsed: unknown = JSON.parse(await readFile(json, 'utf8'));
    if (!isDemoSeed(parsed)) throw new Error(`${json} is not a demo seed; delete it to reseed`);
    if (!parsed.seeding) return { demo: parsed, seeded: false };
    demo = parsed;
  }
  const [{ seedDemo }, { seedDemoMedia }, { mediaStoreFrom }] = await Promise.all([
    import('../lib/directory/admin/demo.ts'),
    import('./demo-media.ts'),
    import('../lib/storage/configured-store.ts'),
  ]);
  if (!demo) {
    demo = { ...(await seedDemo(stack.tableContext)), attachments: [], seeding: true };
    await writeDemo(json, demo);
  }
  const seeding = demo;
  const { config } = stack;
  const attachments = await seedDemoMedia(
    {
      table: stack.tableContext,
      store: mediaStoreFrom(config),
      maxUploadBytes: config.maxUploadBytes,
      keepLocation: config.keepLocation ?? false,
    },
    seeding,
    {
      seeded: seeding.attachments,
      onSeeded: (seeded) => writeDemo(json, { ...seeding, attachments: seeded }),
    },
  );
  // The image's thumbnail is written in the background: the first list should show it.
  await stack.processingIdle();
  const { seeding: _done, ...seeded } = { ...seeding, attachments };
  await writeDemo(json, seeded);
  return { demo: seeded, seeded: true };
}

/** The member may list everything in the demo and upload to the published post it authors. */
export function commandValues(stack: LocalStack, demo: DemoSeed): DemoCommandValues {
  return { apiUrl: stack.url, key: demo.users.member.key, postId: demo.posts.published };
}

/** Written on every start: the URL may have changed since the demo was seeded. */
export async function writeDemoEnv(stack: LocalStack, demo: DemoSeed): Promise<void> {
  await writeFile(demoFiles(stack.dataDir).env, demoEnvFile(commandValues(stack, demo)), {
    mode: 0o600,
  });
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

export function demoBanner(stack: LocalStack, demo: LocalDemo, seeded: boolean): string {
  const { owner, admin, member } = demo.users;
  const files = demoFiles(stack.dataDir);
  const filesOf = (postId: string) => demo.attachments?.filter((a) => a.postId === postId) ?? [];
  const posts = (demo.postList ?? []).map((post) => {
    const attached = filesOf(post.id).map((a) => a.fileName);
    return (
      `  ${post.id}  ${`"${post.title}"`.padEnd(16)} ${`${post.projectVisibility} project`.padEnd(15)} · ` +
      `${post.status.padEnd(9)} · author: ${post.authorRole}` +
      (attached.length > 0 ? ` · ${attached.join(', ')}` : '')
    );
  });
  const values = commandValues(stack, demo);
  return [
    '',
    `Media API running at ${stack.url}`,
    `  health   curl ${stack.url}/health`,
    `  stores   DynamoDB Local ${stack.dynamoEndpoint} · S3 ${stack.s3Endpoint}`,
    `  data     ${stack.dataDir}`,
    '',
    `Demo workspace ${demo.workspaceId} (${seeded ? 'seeded now, in' : 'from'} ${files.json}):`,
    `  owner    ${owner.key}`,
    `  admin    ${admin.key}`,
    `  member   ${member.key}`,
    '',
    ...(posts.length > 0
      ? [
          'Demo posts (the member sees all of them; only a post’s author may upload to it):',
          ...posts,
        ]
      : [`Demo posts: see ${files.json} (delete ${stack.dataDir} to reseed with sample files).`]),
    '',
    'List what the member sees:',
    indent(listCommand(values)),
    '',
    `Upload a file as the member to its post ${values.postId} (replace the path):`,
    indent(uploadCommand(values)),
    '',
    `The same values are in ${files.env} (. it to use $MEDIA_API_KEY etc.). Ctrl-C to stop.`,
    '',
  ].join('\n');
}
