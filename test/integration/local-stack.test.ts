import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../lib/db/client.ts';
import {
  type LambdaHandler,
  type LocalHttpServer,
  startHttpServer,
} from '../../local/http-server.ts';
import {
  freePorts,
  HANG_BACKSTOP_MS,
  type Instance,
  javaProcessesFor,
  killInstances,
  portsInUse,
  processTree,
  startInstance,
  stillRunning,
  waitReady,
} from '../support/npm-start.ts';
import { api, apiUrl } from '../support/stack.ts';

describe('the API Gateway stand-in in front of the real handlers', () => {
  it('GET /health → 200 {"status":"ok"} with a request id', async () => {
    const response = await api('/health');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('the API and both stores listen on 127.0.0.1 only, not on every interface', async () => {
    // DynamoDB Local only through its launcher, which needs a JDK's javac (README).
    const stores = hasJavac()
      ? [inject('dynamoEndpoint'), inject('s3Endpoint')]
      : [inject('s3Endpoint')];
    const ports = [apiUrl(), ...stores].map((url) => Number(new URL(url).port));
    const listening = await listeningAddresses();
    for (const port of ports) {
      expect(listening.get(port), `port ${port}`).toBeDefined();
      expect(listening.get(port)?.filter((address) => /^0+$/.test(address))).toEqual([]);
    }
  });

  it('unknown path → 404 envelope', async () => {
    const response = await api('/nope/nothing');
    expect(response.status).toBe(404);
    expect(response.json).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('known path, wrong method → 405 envelope with allow', async () => {
    const response = await api('/health', { method: 'PUT', body: {} });
    expect(response.status).toBe(405);
    expect(response.json.error.code).toBe('method_not_allowed');
    expect(response.headers.get('allow')).toBe('GET');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('a declared body over the limit → 413 before anything is sent', async () => {
    // 100 MB declared, nothing sent: the answer cannot depend on reading the body.
    const response = await rawPost(`${apiUrl()}/api/v1/media`, { declaredLength: 100_000_000 });
    expect(response.status).toBe(413);
    expect(response.json.error).toMatchObject({
      code: 'payload_too_large',
      details: { limitBytes: expect.any(Number), sizeBytes: 100_000_000 },
    });
    expect(response.headers['x-request-id']).toBeTruthy();
  });
});

describe('the body limit', () => {
  let server: LocalHttpServer;
  let calls = 0;
  const echo: LambdaHandler = async (event) => {
    calls++;
    return { statusCode: 200, body: JSON.stringify({ length: event.body?.length ?? 0 }) };
  };

  beforeAll(async () => {
    server = await startHttpServer({
      routes: [{ name: 'echo', method: 'POST', path: '/echo' }],
      loadHandler: async () => echo,
      maxBodyBytes: 64 * 1024,
    });
  });
  afterAll(() => server.close());

  it('accepts a body at the limit', async () => {
    const response = await fetch(`${server.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(64 * 1024),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ length: 64 * 1024 });
  });

  it('413 from Content-Length alone, handler not called', async () => {
    const before = calls;
    const response = await rawPost(`${server.url}/echo`, { declaredLength: 64 * 1024 + 1 });
    expect(response.status).toBe(413);
    expect(response.json.error.details).toEqual({ limitBytes: 65_536, sizeBytes: 65_537 });
    expect(calls).toBe(before);
  });

  it('413 while a chunked body is still streaming, without reading all of it', async () => {
    const before = calls;
    // Would be 64 MB; the answer must come long before that is sent.
    const response = await rawPost(`${server.url}/echo`, { streamBytes: 64 * 1024 * 1024 });
    expect(response.status).toBe(413);
    expect(response.json.error.code).toBe('payload_too_large');
    expect(response.json.error.details.limitBytes).toBe(65_536);
    expect(response.sentBytes).toBeLessThan(32 * 1024 * 1024);
    expect(calls).toBe(before);
    // and the server keeps working
    expect((await fetch(`${server.url}/echo`, { method: 'POST', body: 'ok' })).status).toBe(200);
  });
});

function hasJavac(): boolean {
  try {
    execFileSync('javac', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Local addresses (hex, as the kernel lists them; all zeros = every interface) of the TCP
 * sockets listening on each port, from /proc/net/tcp and tcp6 (Linux).
 */
async function listeningAddresses(): Promise<Map<number, string[]>> {
  const byPort = new Map<number, string[]>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = (await readFile(table, 'utf8').catch(() => '')).trim().split('\n').slice(1);
    for (const row of rows) {
      const [, local, , state] = row.trim().split(/\s+/);
      if (state !== '0A' || !local) continue; // 0A: LISTEN
      const [address, port] = local.split(':');
      const key = Number.parseInt(port ?? '', 16);
      byPort.set(key, [...(byPort.get(key) ?? []), address ?? '']);
    }
  }
  return byPort;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON
  json: any;
  sentBytes: number;
}

/**
 * POST with node:http: either declare a Content-Length and send nothing, or stream a chunked
 * body of `streamBytes` until the server answers.
 */
function rawPost(
  url: string,
  options: { declaredLength?: number; streamBytes?: number },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.declaredLength !== undefined) {
      headers['content-length'] = String(options.declaredLength);
    }
    const req = request(url, { method: 'POST', headers }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        req.destroy();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          json: JSON.parse(text),
          sentBytes,
        });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (options.declaredLength !== undefined) {
      req.flushHeaders();
      return;
    }
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (!answered && !req.destroyed && sentBytes < (options.streamBytes ?? 0)) {
        sentBytes += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered && !req.destroyed) req.end();
    };
    pump();
  });
}

// ---------------------------------------------------------------------------------------------
// `npm start` as a process

/** The admin CLI as `npm run admin` runs it, beside an instance. */
function adminCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const inherited = { ...process.env };
    for (const name of ['DYNAMODB_ENDPOINT', 'S3_ENDPOINT', 'TABLE_NAME', 'BUCKET_NAME']) {
      delete inherited[name];
    }
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/admin.ts', ...argv],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), env: { ...inherited, ...env } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : done({ stdout, stderr }),
    );
  });
}

describe('npm start (scripts/start.ts)', () => {
  const dirs: string[] = [];

  afterAll(async () => {
    killInstances();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** Sends `signal` to npm (or its process group); then nothing of the instance may be left. */
  async function expectStoppedBy(
    instance: Instance,
    signal: NodeJS.Signals,
    target: 'npm' | 'group',
  ): Promise<void> {
    const npmPid = instance.child.pid as number;
    const tree = processTree(npmPid);
    // npm, node (exec'd by npm's shell), java: all three were running.
    expect(tree.length).toBeGreaterThanOrEqual(3);
    expect(javaProcessesFor(instance.dataDir)).toHaveLength(1);
    process.kill(target === 'group' ? -npmPid : npmPid, signal);
    await instance.exit;
    expect(await stillRunning(tree)).toEqual([]);
    expect(javaProcessesFor(instance.dataDir)).toEqual([]);
    expect(await portsInUse(instance.ports)).toEqual([]);
  }

  it(
    'runs two instances side by side under any settings, stops whichever way npm is stopped, keeps its data',
    async () => {
      const dirA = await mkdtemp(join(tmpdir(), 'media-start-a-'));
      const dirB = await mkdtemp(join(tmpdir(), 'media-start-b-'));
      dirs.push(dirA, dirB);
      const portsA = await freePorts();
      const portsB = await freePorts();

      // `npm start` as a user or a harness runs it.
      // Any legal setting starts (the demo is seeded apart from the API's own limits): A with
      // a rate limit of 1 request per minute, B with an upload limit the samples mostly exceed.
      const envA = { MEDIA_RATE_LIMIT_PER_MINUTE: '1' };
      const a = startInstance(dirA, portsA, { viaNpm: true, env: envA });
      const readyA = await waitReady(a);
      // B on a table of its own name: npm start honours TABLE_NAME, and so does the admin CLI.
      const envB = { TABLE_NAME: 'media-side-by-side', MEDIA_MAX_UPLOAD_BYTES: '10000' };
      const b = startInstance(dirB, portsB, { viaNpm: true, env: envB });
      const readyB = await waitReady(b);

      // Both healthy at the same time, each with its own data.
      expect((await fetch(`${a.url}/health`)).status).toBe(200);
      expect((await fetch(`${b.url}/health`)).status).toBe(200);
      expect(readyA.ownerKey).not.toBe(readyB.ownerKey);
      const demoA = JSON.parse(await readFile(join(dirA, 'demo.json'), 'utf8'));
      expect(demoA.users.owner.key).toBe(readyA.ownerKey);
      expect(demoA.attachments).toHaveLength(3);
      const demoB = JSON.parse(await readFile(join(dirB, 'demo.json'), 'utf8'));
      expect(demoB.attachments.map((a: { fileName: string }) => a.fileName)).toEqual([
        'weekly-update.pdf',
      ]);
      expect(b.output()).toMatch(/demo: launch-banner\.png .*not seeded: over the upload limit/);

      const { TableNames } = await new DynamoDBClient({
        endpoint: `http://127.0.0.1:${portsB.dynamoPort}`,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
      }).send(new ListTablesCommand({}));
      expect(TableNames).toEqual(['media-side-by-side']);
      const cli = await adminCli(['workspace', 'create', '--name', 'Beside B'], {
        ...envB,
        DATA_DIR: dirB,
        DYNAMODB_PORT: String(portsB.dynamoPort),
      });
      expect(cli.stderr).toBe('');
      expect(JSON.parse(cli.stdout)).toEqual({ id: expect.stringMatching(/^ws_/) });

      // A signal to the npm process alone (a process manager, a harness) stops everything.
      await expectStoppedBy(a, 'SIGTERM', 'npm');
      expect(a.output()).toContain('SIGTERM: stopping');
      await expectStoppedBy(b, 'SIGINT', 'npm');
      expect(b.output()).toContain('SIGINT: stopping');

      // Restart A on the same data: same demo workspace, same key, and the key still works.
      const again = startInstance(dirA, portsA, { viaNpm: true, env: envA });
      const readyAgain = await waitReady(again);
      expect(readyAgain.ownerKey).toBe(readyA.ownerKey);
      const list = await fetch(`${again.url}/api/v1/media`, {
        headers: { authorization: `Bearer ${readyAgain.ownerKey}` },
      });
      expect(list.status).toBe(200);
      // The demo's sample files, seeded on the first start, are still there.
      expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(3);
      // Ctrl-C in a terminal: SIGINT to the whole process group.
      await expectStoppedBy(again, 'SIGINT', 'group');

      // npm killed outright: nothing can pass a signal on; start.ts sees its parent gone.
      const orphaned = startInstance(dirB, portsB, { viaNpm: true, env: envB });
      await waitReady(orphaned);
      await expectStoppedBy(orphaned, 'SIGKILL', 'npm');
      expect(orphaned.output()).toContain('parent process exited');
    },
    HANG_BACKSTOP_MS,
  );

  it(
    'a failed start prints one line and exits 1, leaving nothing behind',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'media-start-fail-'));
      dirs.push(dir);
      const ports = await freePorts();
      // The API port is taken: the stores start, then the API cannot listen.
      const blocker = await startHttpServer({ port: ports.port, routes: [] });
      try {
        const instance = startInstance(dir, ports);
        const { code } = await instance.exit;
        expect(code).toBe(1);
        const lines = instance.output().trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^npm start failed: .*already in use/);
        expect(javaProcessesFor(dir)).toEqual([]);
      } finally {
        await blocker.close();
      }
    },
    HANG_BACKSTOP_MS,
  );
});
