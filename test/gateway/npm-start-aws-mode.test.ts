/**
 * `npm start` against an external S3 store in aws mode (operations.md: `S3_ENDPOINT` +
 * credentials + `BUCKET_NAME` + `MEDIA_STORAGE_MODE=aws`), the store being the run's Ceph
 * gateway: the real handlers, end to end through the API, on a bucket that `npm start` created
 * itself with Object Lock, versioning and the deployed lifecycle rules. What the storage holds
 * is read with a plain S3 client: delete markers, identical bytes after a restore, a legal hold
 * on every version of the file and its thumbnail, a held version's DELETE refused by the
 * storage, and the gateway's own lifecycle purging a deleted file while a held one stays.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSeed } from '../../lib/directory/admin/demo.ts';
import { findFreePort } from '../../local/processes.ts';
import { gatewayInfo, gatewayS3, lifecyclePassed, versionsOf } from '../support/gateway.ts';
import { mediaBytes } from '../support/media-fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const gateway = gatewayInfo();

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
type Json = any;

describe.skipIf(!gateway)('npm start, aws mode, on the Ceph gateway', () => {
  const bucket = `gw-npm-start-${randomBytes(4).toString('hex')}`;
  let s3: S3Client;
  let child: ChildProcess;
  let exited: Promise<unknown>;
  let dataDir: string;
  let url: string;
  let demo: DemoSeed;
  let output = '';
  /** The environment npm start runs with: the admin CLI gets the same. */
  let startEnv: NodeJS.ProcessEnv;

  const api = async (path: string, key: string, init: RequestInit = {}) => {
    const response = await fetch(`${url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
    });
    const text = await response.text();
    let json: Json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  };
  const member = () => demo.users.member.key;
  const owner = () => demo.users.owner.key;
  const keyOf = (fileUrl: string) => fileUrl.replace(/^\/api\/media\//, '');
  const storedBytes = async (key: string) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  };
  const uploadPng = async () => {
    const bytes = mediaBytes('image-64x48.png');
    const created = await api('/api/v1/media', member(), {
      method: 'POST',
      body: JSON.stringify({
        postId: demo.posts.published,
        fileName: 'pixels.png',
        mimeType: 'image/png',
        fileData: bytes.toString('base64'),
      }),
    });
    expect(created.status, created.text).toBe(201);
    return created.json;
  };
  /** Waits for the processing (driven by the store poller) to record the thumbnail. */
  const withThumbnail = async (id: string): Promise<Json> => {
    for (;;) {
      const got = await api(`/api/v1/media/${id}`, member());
      if (got.json?.thumbnailUrl) return got.json;
      await new Promise((done) => setTimeout(done, 250));
    }
  };
  const holdStatuses = async (key: string) => {
    const { versions } = await versionsOf(s3, bucket, key);
    return Promise.all(
      versions.map(async ({ id }) => {
        const { LegalHold } = await s3.send(
          new GetObjectLegalHoldCommand({ Bucket: bucket, Key: key, VersionId: id }),
        );
        return LegalHold?.Status;
      }),
    );
  };

  beforeAll(async () => {
    if (!gateway) return;
    s3 = gatewayS3(gateway);
    dataDir = await mkdtemp(join(tmpdir(), 'media-gw-start-'));
    const port = await findFreePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['DYNAMODB_ENDPOINT', 'TABLE_NAME', 'AWS_PROFILE', 'AWS_SESSION_TOKEN']) {
      delete env[name];
    }
    startEnv = {
      ...env,
      DATA_DIR: dataDir,
      PORT: String(port),
      DYNAMODB_PORT: '0',
      S3_ENDPOINT: gateway.endpoint,
      AWS_ACCESS_KEY_ID: gateway.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: gateway.credentials.secretAccessKey,
      AWS_REGION: gateway.region,
      BUCKET_NAME: bucket,
      MEDIA_STORAGE_MODE: 'aws',
      // Two lifecycle days: a few seconds on this gateway.
      MEDIA_GRACE_PERIOD_SECONDS: String(2 * 86_400),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: ROOT,
      env: startEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((done) => child.once('exit', done));
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    url = `http://127.0.0.1:${port}`;
    const demoFile = join(dataDir, 'demo.json');
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
      const health = await fetch(`${url}/health`).catch(() => undefined);
      if (health?.status === 200 && existsSync(demoFile)) break;
      await new Promise((done) => setTimeout(done, 250));
    }
    demo = JSON.parse(await readFile(demoFile, 'utf8')) as DemoSeed;
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([
        exited.then(() => true),
        new Promise((done) => setTimeout(() => done(false), 20_000)),
      ]);
      if (!stopped) child.kill('SIGKILL');
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('JSON upload: stored as one version, processed into a thumbnail', async () => {
    const created = await uploadPng();
    const key = keyOf(created.url);
    expect((await versionsOf(s3, bucket, key)).versions).toHaveLength(1);
    const processed = await withThumbnail(created.id);
    expect((await versionsOf(s3, bucket, keyOf(processed.thumbnailUrl))).versions).toHaveLength(1);
  });

  it('session upload: the storage refuses another type, the declared bytes complete', async () => {
    const bytes = mediaBytes('image-64x48.jpg');
    const session = await api('/api/v1/media/uploads', member(), {
      method: 'POST',
      body: JSON.stringify({
        postId: demo.posts.published,
        fileName: 'photo.jpg',
        mimeType: 'image/jpeg',
        fileSize: bytes.byteLength,
      }),
    });
    expect(session.status, session.text).toBe(201);
    const { uploadUrl, method, headers, uploadId } = session.json;
    expect(new URL(uploadUrl).origin).toBe(gateway?.endpoint);

    const wrongType = await fetch(uploadUrl, {
      method,
      headers: { ...headers, 'content-type': 'image/png' },
      body: bytes,
    });
    expect(wrongType.status).toBe(403);
    const put = await fetch(uploadUrl, { method, headers, body: bytes });
    expect(put.status).toBe(200);

    const done = await api(`/api/v1/media/uploads/${uploadId}/complete`, member(), {
      method: 'POST',
    });
    expect(done.status, done.text).toBe(201);
    expect(await storedBytes(keyOf(done.json.url))).toEqual(bytes);
  });

  it('delete adds delete markers, restore removes them and serves identical bytes', async () => {
    const created = await withThumbnail((await uploadPng()).id);
    const file = keyOf(created.url);
    const thumbnail = keyOf(created.thumbnailUrl);
    const before = await storedBytes(file);

    expect((await api(`/api/v1/media/${created.id}`, owner(), { method: 'DELETE' })).status).toBe(
      200,
    );
    for (const key of [file, thumbnail]) {
      const { versions, markers } = await versionsOf(s3, bucket, key);
      expect(markers).toHaveLength(1);
      expect(versions.map((v) => v.latest)).toEqual([false]);
    }
    expect((await api(`/api/v1/media/${created.id}`, member())).status).toBe(404);

    const restored = await api(`/api/v1/media/${created.id}/restore`, owner(), {
      method: 'POST',
    });
    expect(restored.status, restored.text).toBe(200);
    for (const key of [file, thumbnail]) {
      expect((await versionsOf(s3, bucket, key)).markers).toEqual([]);
    }
    expect(await storedBytes(file)).toEqual(before);
    const served = await fetch(`${url}${created.url}`, {
      headers: { authorization: `Bearer ${member()}` },
    });
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(before);
  });

  it('a legal hold covers every version of file and thumbnail; the storage refuses their DELETE', async () => {
    const created = await withThumbnail((await uploadPng()).id);
    const keys = [keyOf(created.url), keyOf(created.thumbnailUrl)];
    const held = await api(`/api/v1/media/${created.id}/legal-hold`, owner(), {
      method: 'PUT',
      body: JSON.stringify({ enabled: true }),
    });
    expect(held.status, held.text).toBe(200);
    for (const key of keys) {
      expect(await holdStatuses(key)).toEqual(['ON']);
      const [version] = (await versionsOf(s3, bucket, key)).versions;
      const refused = await s3
        .send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version?.id }))
        .catch((error: { name: string; $metadata: { httpStatusCode: number } }) => error);
      expect(refused).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    }
    await api(`/api/v1/media/${created.id}/legal-hold`, owner(), {
      method: 'PUT',
      body: JSON.stringify({ enabled: false }),
    });
    for (const key of keys) expect(await holdStatuses(key)).toEqual(['OFF']);
  });

  it('the admin CLI, in the environment of npm start, places the hold in the storage too', async () => {
    const created = await withThumbnail((await uploadPng()).id);
    // npm start picked a free port for DynamoDB Local; its banner names it.
    const dynamoPort = /DynamoDB Local http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
    expect(dynamoPort).toBeDefined();
    const cli = await new Promise<{ stdout: string; stderr: string }>((done, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/admin.ts', 'media', 'legal-hold', '--id', created.id, '--on'],
        { cwd: ROOT, env: { ...startEnv, DYNAMODB_PORT: dynamoPort } },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : done({ stdout, stderr }),
      ),
    );
    expect(JSON.parse(cli.stdout)).toEqual({ ok: true });
    for (const key of [keyOf(created.url), keyOf(created.thumbnailUrl)]) {
      expect(await holdStatuses(key)).toEqual(['ON']);
    }
    expect((await api(`/api/v1/media/${created.id}`, owner())).json.legalHold).toBe(true);
    await api(`/api/v1/media/${created.id}/legal-hold`, owner(), {
      method: 'PUT',
      body: JSON.stringify({ enabled: false }),
    });
  });

  it("the storage's lifecycle purges a deleted file; a held one stays until the hold is lifted", async () => {
    const [gone, kept] = await Promise.all([uploadPng(), uploadPng()]).then((both) =>
      Promise.all(both.map((a) => withThumbnail(a.id))),
    );
    const keysOf = (a: Json) => [keyOf(a.url), keyOf(a.thumbnailUrl)];
    for (const a of [gone, kept]) {
      expect((await api(`/api/v1/media/${a.id}`, owner(), { method: 'DELETE' })).status).toBe(200);
    }
    // Held during its grace period (the API allows it): the versions are locked from now on.
    const hold = await api(`/api/v1/media/${kept.id}/legal-hold`, owner(), {
      method: 'PUT',
      body: JSON.stringify({ enabled: true }),
    });
    expect(hold.status, hold.text).toBe(200);

    await lifecyclePassed(s3, bucket);
    for (const key of keysOf(gone)) {
      expect((await versionsOf(s3, bucket, key)).versions).toEqual([]);
    }
    for (const key of keysOf(kept)) {
      expect((await versionsOf(s3, bucket, key)).versions).toHaveLength(1);
    }

    await api(`/api/v1/media/${kept.id}/legal-hold`, owner(), {
      method: 'PUT',
      body: JSON.stringify({ enabled: false }),
    });
    await lifecyclePassed(s3, bucket);
    for (const key of keysOf(kept)) {
      expect((await versionsOf(s3, bucket, key)).versions).toEqual([]);
    }
  });
});
