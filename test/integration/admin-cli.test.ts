/**
 * The admin CLI against DynamoDB Local: most cases run the command layer in-process (argv in,
 * captured stdout/stderr, real target resolution and real stores); a handful run the real
 * `scripts/admin.ts` as a child process to pin the process contract (one JSON line on stdout,
 * exit codes, no logs, no orphan java). The stores are those of the integration globalSetup.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { commitAttachment, getAttachment } from '../../lib/attachments/records.ts';
import { runCli } from '../../lib/cli/main.ts';
import { openTarget, resolveTarget } from '../../lib/cli/target.ts';
import { loadConfig } from '../../lib/config.ts';
import { LOCAL_CREDENTIALS } from '../../lib/db/client.ts';
import { getApiKeyRecord } from '../../lib/directory/api-key-records.ts';
import { getMembership } from '../../lib/directory/memberships.ts';
import { getPost } from '../../lib/directory/posts.ts';
import { getProject } from '../../lib/directory/projects.ts';
import { getWorkspace } from '../../lib/directory/workspaces.ts';
import { HOLD_PREFIX } from '../../lib/storage/portable-media-store.ts';
import { s3ClientSettingsFor } from '../../lib/storage/s3-client.ts';
import * as localStores from '../../local/stores.ts';
import { findFreePort } from '../../local/stores.ts';
import { attachmentRecord } from '../support/attachments.ts';
import { seedScenario } from '../support/seed.ts';
import { testTable } from '../support/stack.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ID = (prefix: string) => new RegExp(`^${prefix}_[0-9a-z]{20}$`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const endpoint = inject('dynamoEndpoint');
const tableName = inject('tableName');
const table = testTable();

/** The env a child CLI gets: the test's stores, nothing inherited that could redirect it. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['MEDIA_CLI_TARGET', 'DYNAMODB_ENDPOINT', 'DYNAMODB_PORT', 'DATA_DIR']) {
    delete env[name];
  }
  return { ...env, TABLE_NAME: tableName, ...extra };
}

/** The real CLI in a child process (`node --import tsx scripts/admin.ts …`, as `npm run admin`). */
function spawnCli(argv: string[], extra: Record<string, string> = { DYNAMODB_ENDPOINT: endpoint }) {
  return new Promise<Run>((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/admin.ts', ...argv],
      { cwd: PROJECT_ROOT, env: childEnv(extra), timeout: 300_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** The same command layer in-process, through the real target resolution (DYNAMODB_ENDPOINT). */
async function cli(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const env = { DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: tableName };
  const code = await runCli(
    argv,
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    {
      openTable: () => openTarget(resolveTarget(env, { ...loadConfig(), tableName }), localStores),
    },
  );
  return { code, stdout, stderr };
}

/** Asserts success and returns the one JSON object printed. */
function json(run: Run): Record<string, unknown> {
  expect(run.stderr, run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout.endsWith('\n')).toBe(true);
  expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** Asserts the error contract: non-zero exit, nothing on stdout, one line on stderr. */
function failed(run: Run, code: number, message: RegExp): void {
  expect(run.stdout).toBe('');
  expect(run.code).toBe(code);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
}

async function usersWithEmail(email: string): Promise<unknown[]> {
  const { Items = [] } = await table.db.send(
    new ScanCommand({
      TableName: tableName,
      FilterExpression: 'email = :email',
      ExpressionAttributeValues: { ':email': email },
      ConsistentRead: true,
    }),
  );
  return Items;
}

const unique = () => `${Date.now()}.${Math.random().toString(36).slice(2, 8)}`;

describe('admin CLI as a process', () => {
  it('creates a workspace, a user and an already expired key, chaining the ids', async () => {
    const workspace = json(await spawnCli(['workspace', 'create', '--name', 'Child Co']));
    expect(workspace.id).toMatch(ID('ws'));
    expect(await getWorkspace(table, workspace.id as string)).toMatchObject({ name: 'Child Co' });

    const user = json(
      await spawnCli([
        'user',
        'create',
        '--workspace',
        workspace.id as string,
        '--name',
        'Ola Owner',
        '--email',
        `ola.${unique()}@test.example`,
        '--role',
        'owner',
      ]),
    );
    expect(user.id).toMatch(ID('usr'));

    const key = json(
      await spawnCli([
        'key',
        'create',
        '--workspace',
        workspace.id as string,
        '--user',
        user.id as string,
        '--expires-at',
        '0',
      ]),
    );
    expect(Object.keys(key).sort()).toEqual(['id', 'key']);
    expect(key.id).toMatch(/^key_[0-9A-Za-z]+$/);
    expect(key.key).toMatch(/^pf_live_[A-Za-z0-9_-]{32,}$/);
    expect(await getApiKeyRecord(table, key.id as string)).toMatchObject({
      expiresAt: 0,
      scopes: ['media:read', 'media:write'],
      userId: user.id,
    });
  });

  it('bad role: exit 2, one stderr line, nothing written', async () => {
    const workspace = json(await cli('workspace', 'create', '--name', 'Roles'));
    const email = `bad.role.${unique()}@test.example`;
    const run = await spawnCli([
      ...['user', 'create', '--workspace', workspace.id as string, '--name', 'B'],
      ...['--email', email, '--role', 'boss'],
    ]);
    failed(run, 2, /^admin: user create: --role must be one of owner, admin, member/);
    expect(await usersWithEmail(email)).toEqual([]);
  });

  it('unknown workspace: exit 1 naming it; missing flag: exit 2', async () => {
    failed(
      await spawnCli(['project', 'create', '--workspace', 'ws_doesnotexist', '--name', 'X']),
      1,
      /workspace ws_doesnotexist does not exist/,
    );
    failed(await spawnCli(['project', 'create', '--name', 'X']), 2, /missing --workspace/);
  });

  it('demo prints the ids and keys of a demo workspace', async () => {
    const demo = json(await spawnCli(['demo']));
    expect(demo.workspaceId).toMatch(ID('ws'));
    const users = demo.users as Record<string, Record<string, string>>;
    expect(Object.keys(users).sort()).toEqual(['admin', 'member', 'owner']);
    for (const role of ['owner', 'admin', 'member']) {
      expect(users[role]).toMatchObject({ role, id: expect.stringMatching(ID('usr')) });
      expect(users[role]?.keyId).toMatch(/^key_/);
      expect(users[role]?.key).toMatch(/^pf_live_[A-Za-z0-9_-]{32,}$/);
    }
    const projects = demo.projects as Record<string, string>;
    expect(projects.public).toMatch(ID('prj'));
    expect(projects.private).toMatch(ID('prj'));
    expect(await getProject(table, projects.private as string)).toMatchObject({
      visibility: 'private',
      workspaceId: demo.workspaceId,
    });
    const posts = demo.posts as Record<string, string>;
    for (const id of Object.values(posts)) expect(id).toMatch(ID('pst'));
    expect(await getPost(table, posts.draft as string)).toMatchObject({ status: 'draft' });
  });

  it('--help prints the usage', async () => {
    const run = await spawnCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: npm run admin -- <command> [flags]');
    expect(run.stdout).toContain('MEDIA_CLI_TARGET=aws');
  });

  it('default target: uses the DynamoDB Local already answering on DYNAMODB_PORT', async () => {
    const port = new URL(endpoint).port;
    const run = await spawnCli(['workspace', 'create', '--name', 'Via port'], {
      DYNAMODB_PORT: port,
      DATA_DIR: join(tmpdir(), 'admin-cli-unused'),
    });
    const { id } = json(run);
    expect(await getWorkspace(table, id as string)).toMatchObject({ name: 'Via port' });
  });

  it('default target with nothing running: embedded DynamoDB Local on DATA_DIR, then stopped', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'admin-cli-embedded-'));
    try {
      const env = { DATA_DIR: dataDir, DYNAMODB_PORT: String(await findFreePort()) };
      const workspace = json(await spawnCli(['workspace', 'create', '--name', 'Embedded'], env));
      expect(await javaProcessesOn(dataDir)).toEqual([]);
      // A second run finds the first run's data in DATA_DIR.
      const project = json(
        await spawnCli(
          ['project', 'create', '--workspace', workspace.id as string, '--name', 'Kept'],
          env,
        ),
      );
      expect(project.id).toMatch(ID('prj'));
      expect(await javaProcessesOn(dataDir)).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('admin CLI media legal-hold beside npm start on an external store', () => {
  it('places the hold in the store S3_ENDPOINT names, not in a local server', async () => {
    // The "external" store: an S3 server of its own, apart from the stack's.
    const storeDir = await mkdtemp(join(tmpdir(), 'admin-cli-external-s3-'));
    const cliDir = await mkdtemp(join(tmpdir(), 'admin-cli-data-'));
    const bucket = 'external-media';
    const external = await localStores.startS3Server({
      dataDir: storeDir,
      port: 0,
      bucketName: bucket,
    });
    try {
      const s3 = new S3Client(
        s3ClientSettingsFor({
          endpoint: external.endpoint,
          region: 'us-east-1',
          credentials: LOCAL_CREDENTIALS,
        }),
      );
      const scenario = await seedScenario(table);
      const attachment = attachmentRecord({
        workspaceId: scenario.workspaceId,
        projectId: scenario.publicProjectId,
        postId: scenario.posts.published,
        uploaderId: scenario.author.id,
      });
      expect(await commitAttachment(table, attachment)).toBeNull();
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: attachment.storageKey, Body: 'bytes' }),
      );

      // The environment of `npm start` on that store (operations.md), DynamoDB Local on its port.
      const run = await spawnCli(['media', 'legal-hold', '--id', attachment.id, '--on'], {
        DYNAMODB_PORT: new URL(endpoint).port,
        DATA_DIR: cliDir,
        S3_PORT: String(await findFreePort()), // nothing there: no local server may stand in
        S3_ENDPOINT: external.endpoint,
        BUCKET_NAME: bucket,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
      });
      expect(json(run)).toEqual({ ok: true });
      expect(await getAttachment(table, attachment.id)).toMatchObject({ legalHold: true });
      const marker = await s3.send(
        new HeadObjectCommand({ Bucket: bucket, Key: `${HOLD_PREFIX}${attachment.storageKey}` }),
      );
      expect(marker.$metadata.httpStatusCode).toBe(200);
    } finally {
      await external.stop();
      await rm(storeDir, { recursive: true, force: true });
      await rm(cliDir, { recursive: true, force: true });
    }
  });
});

/** Pids of processes whose command line mentions `dir` (Linux /proc; empty elsewhere). */
async function javaProcessesOn(dir: string): Promise<string[]> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) found.push(pid);
  }
  return found;
}

describe('admin CLI commands (in-process)', () => {
  it('creates and changes every entity, chaining the ids', async () => {
    const ws = json(await cli('workspace', 'create', '--name', 'Acme')).id as string;
    const owner = json(
      await cli(
        ...['user', 'create', '--workspace', ws, '--name', 'Olga', '--email', 'olga@acme.test'],
        ...['--role', 'owner', '--image', 'https://acme.test/olga.png'],
      ),
    ).id as string;
    const member = json(
      await cli(
        ...['user', 'create', '--workspace', ws, '--name', 'Max', '--email', 'max@acme.test'],
        ...['--role', 'member'],
      ),
    ).id as string;
    expect(owner).toMatch(ID('usr'));
    expect(await getMembership(table, ws, owner)).toMatchObject({ role: 'owner' });

    expect(
      json(await cli('member', 'set-role', '--workspace', ws, '--user', member, '--role', 'admin')),
    ).toEqual({ ok: true });
    expect(await getMembership(table, ws, member)).toMatchObject({ role: 'admin' });

    const key = json(
      await cli(
        ...['key', 'create', '--workspace', ws, '--user', member, '--scopes', 'media:read'],
        ...['--expires-at', '4102444800000'],
      ),
    );
    expect(key.key).toMatch(/^pf_live_[A-Za-z0-9_-]{32,}$/);
    expect(await getApiKeyRecord(table, key.id as string)).toMatchObject({
      scopes: ['media:read'],
      expiresAt: 4_102_444_800_000,
      revokedAt: null,
    });
    expect(json(await cli('key', 'revoke', '--id', key.id as string))).toEqual({ ok: true });

    const prj = json(
      await cli(
        'project',
        'create',
        '--workspace',
        ws,
        '--name',
        'Launch',
        '--visibility',
        'private',
      ),
    ).id as string;
    expect(prj).toMatch(ID('prj'));
    expect(await getProject(table, prj)).toMatchObject({ visibility: 'private', workspaceId: ws });
    expect(json(await cli('project', 'add-member', '--project', prj, '--user', member))).toEqual({
      ok: true,
    });
    expect(json(await cli('project', 'remove-member', '--project', prj, '--user', member))).toEqual(
      { ok: true },
    );
    failed(
      await cli('project', 'remove-member', '--project', prj, '--user', member),
      1,
      /is not a member of project/,
    );
    expect(
      json(await cli('project', 'set-visibility', '--project', prj, '--visibility', 'public')),
    ).toEqual({ ok: true });
    expect(await getProject(table, prj)).toMatchObject({ visibility: 'public' });

    const pst = json(
      await cli('post', 'create', '--project', prj, '--author', member, '--title', 'Hello'),
    ).id as string;
    expect(await getPost(table, pst)).toMatchObject({ status: 'published', authorId: member });
    expect(
      json(
        await cli(
          'post',
          'update',
          '--id',
          pst,
          '--author',
          owner,
          '--title',
          'Hi',
          '--status',
          'draft',
        ),
      ),
    ).toEqual({ ok: true });
    expect(await getPost(table, pst)).toMatchObject({
      status: 'draft',
      authorId: owner,
      title: 'Hi',
    });
    expect(json(await cli('post', 'delete', '--id', pst))).toEqual({ ok: true });
    expect((await getPost(table, pst))?.deletedAt).toEqual(expect.any(Number));
    failed(
      await cli('post', 'update', '--id', pst, '--title', 'Again'),
      1,
      /post .* does not exist/,
    );

    expect(json(await cli('member', 'remove', '--workspace', ws, '--user', member))).toEqual({
      ok: true,
    });
    expect(await getMembership(table, ws, member)).toBeNull();
  });

  it('key revoke marks the key revoked (and a second revoke keeps the first time)', async () => {
    const ws = json(await cli('workspace', 'create', '--name', 'Revoke')).id as string;
    const user = json(
      await cli(
        ...['user', 'create', '--workspace', ws, '--name', 'R', '--email', 'r@revoke.test'],
        ...['--role', 'member'],
      ),
    ).id as string;
    const key = json(await cli('key', 'create', '--workspace', ws, '--user', user)).id as string;
    expect(await getApiKeyRecord(table, key)).toMatchObject({ revokedAt: null });
    expect(json(await cli('key', 'revoke', '--id', key))).toEqual({ ok: true });
    const revokedAt = (await getApiKeyRecord(table, key))?.revokedAt;
    expect(revokedAt).toEqual(expect.any(Number));
    expect(json(await cli('key', 'revoke', '--id', key))).toEqual({ ok: true });
    expect((await getApiKeyRecord(table, key))?.revokedAt).toBe(revokedAt);
  });

  it('unknown ids fail with exit 1 and name what is missing', async () => {
    const ws = json(await cli('workspace', 'create', '--name', 'Ids')).id as string;
    const user = json(
      await cli(
        'user',
        'create',
        '--workspace',
        ws,
        '--name',
        'U',
        '--email',
        'u@ids.test',
        '--role',
        'member',
      ),
    ).id as string;
    const prj = json(await cli('project', 'create', '--workspace', ws, '--name', 'P')).id as string;
    const cases: Array<[string[], RegExp]> = [
      [
        [
          'user',
          'create',
          '--workspace',
          'ws_missing',
          '--name',
          'N',
          '--email',
          'n@x.test',
          '--role',
          'owner',
        ],
        /workspace ws_missing does not exist/,
      ],
      [
        ['member', 'set-role', '--workspace', 'ws_missing', '--user', user, '--role', 'admin'],
        /workspace ws_missing does not exist/,
      ],
      [
        ['member', 'set-role', '--workspace', ws, '--user', 'usr_missing', '--role', 'admin'],
        /user usr_missing does not exist/,
      ],
      [['member', 'remove', '--workspace', ws, '--user', 'usr_missing'], /not a member/],
      [['key', 'create', '--workspace', ws, '--user', 'usr_missing'], /not a member/],
      [['key', 'create', '--workspace', 'ws_missing', '--user', user], /not a member/],
      [['key', 'revoke', '--id', 'key_missing'], /API key key_missing does not exist/],
      [['project', 'create', '--workspace', 'ws_missing', '--name', 'P'], /workspace ws_missing/],
      [
        ['project', 'add-member', '--project', 'prj_missing', '--user', user],
        /project prj_missing/,
      ],
      [['project', 'add-member', '--project', prj, '--user', 'usr_missing'], /not a member/],
      [
        ['project', 'remove-member', '--project', 'prj_missing', '--user', user],
        /project prj_missing/,
      ],
      [
        ['project', 'set-visibility', '--project', 'prj_missing', '--visibility', 'private'],
        /project prj_missing does not exist/,
      ],
      [
        ['post', 'create', '--project', 'prj_missing', '--author', user, '--title', 'T'],
        /project prj_missing does not exist/,
      ],
      [
        ['post', 'create', '--project', prj, '--author', 'usr_missing', '--title', 'T'],
        /not a member/,
      ],
      [
        ['post', 'update', '--id', 'pst_missing', '--title', 'T'],
        /post pst_missing does not exist/,
      ],
      [['post', 'delete', '--id', 'pst_missing'], /post pst_missing does not exist/],
    ];
    for (const [argv, message] of cases) failed(await cli(...argv), 1, message);
  });

  it('invalid values are refused before any write', async () => {
    const ws = json(await cli('workspace', 'create', '--name', 'Checks')).id as string;
    const user = json(
      await cli(
        'user',
        'create',
        '--workspace',
        ws,
        '--name',
        'C',
        '--email',
        'c@x.test',
        '--role',
        'admin',
      ),
    ).id as string;
    failed(
      await cli('member', 'set-role', '--workspace', ws, '--user', user, '--role', 'superuser'),
      2,
      /--role must be one of/,
    );
    expect(await getMembership(table, ws, user)).toMatchObject({ role: 'admin' });

    const email = `scopes.${unique()}@x.test`;
    failed(
      await cli(
        'user',
        'create',
        '--workspace',
        ws,
        '--name',
        'D',
        '--email',
        email,
        '--role',
        'Owner',
      ),
      2,
      /--role/,
    );
    expect(await usersWithEmail(email)).toEqual([]);
    failed(
      await cli('key', 'create', '--workspace', ws, '--user', user, '--scopes', 'media:admin'),
      2,
      /--scopes must be one of media:read, media:write/,
    );
    failed(
      await cli('key', 'create', '--workspace', ws, '--user', user, '--expires-at', 'tomorrow'),
      2,
      /--expires-at must be a non-negative integer/,
    );
    failed(
      await cli('project', 'create', '--workspace', ws, '--name', 'X', '--visibility', 'hidden'),
      2,
      /--visibility must be one of public, private/,
    );
    failed(await cli('workspace', 'create', '--name', 'a', '--name', 'b'), 2, /more than once/);
    failed(await cli('workspace', 'create', '--name'), 2, /--name needs a value/);
    failed(
      await cli('workspace', 'rename', '--name', 'x'),
      2,
      /unknown command "workspace rename"/,
    );
  });
});
