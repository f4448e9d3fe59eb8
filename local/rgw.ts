/**
 * A one-node Ceph cluster with its S3 gateway (RADOS Gateway), for tests against a real S3
 * implementation: versioning, delete markers, Object Lock legal holds enforced by the server,
 * lifecycle rules that really run, presigned URLs checked against their signed headers.
 *
 * One monitor, one OSD on memstore (objects in the OSD's RAM: nothing written but the monitor's
 * small store), one gateway; no manager (S3 does not need one). Everything binds 127.0.0.1 on
 * free ports, lives in a fresh temp dir, runs in the foreground as children of this process
 * (stopped by PID: SIGTERM, SIGKILL after a grace) and the dir is removed on stop.
 *
 * `lifecycleDaySeconds` is `rgw_lc_debug_interval`: one lifecycle "day" lasts that many seconds
 * and the lifecycle thread runs that often, so a `NoncurrentDays: 1` rule fires in seconds.
 *
 * Needs the Debian packages `ceph-mon ceph-osd radosgw` (Ceph 16.2 on bookworm); see
 * `missingGatewayPackages()` and `RGW_INSTALL_HINT`. The bootstrap follows the one recorded
 * in the project's research on this gateway.
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { s3ClientSettingsFor } from '../lib/storage/s3-client.ts';
import {
  errorMessage,
  findFreePort,
  hasExited,
  LOOPBACK,
  stopChild,
  tail,
  trackChild,
  waitUntil,
} from './processes.ts';

const run = promisify(execFile);

/** The programs the starter runs, by package. */
const PROGRAMS = {
  'ceph-mon': ['ceph-mon', 'monmaptool', 'ceph-authtool'],
  'ceph-osd': ['ceph-osd'],
  radosgw: ['radosgw', 'radosgw-admin'],
  'ceph-common': ['ceph'],
} as const;

export const RGW_PACKAGES = ['ceph-mon', 'ceph-osd', 'radosgw'] as const;
export const RGW_INSTALL_HINT = `apt-get install --no-install-recommends ${RGW_PACKAGES.join(' ')}`;

/** S3 keys of the gateway's one user: fixed, test-only, valid on this throwaway cluster only. */
export const RGW_CREDENTIALS = {
  accessKeyId: 'AKIAMEDIATESTGATEWAY',
  secretAccessKey: 'media-service-test-gateway-secret-key-0001',
} as const;
const REGION = 'us-east-1';

export interface RgwGateway {
  /** Base URL for the SDK client's `endpoint` (path-style), e.g. `http://127.0.0.1:41234`. */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Seconds one lifecycle "day" lasts on this gateway. */
  lifecycleDaySeconds: number;
  /** The cluster's temp dir (removed by `stop()`). */
  dataDir: string;
  /** PIDs of the monitor, the OSD and the gateway (diagnostics). */
  pids: number[];
  /** Idempotent: stops the three daemons by PID and removes the data dir. */
  stop(): Promise<void>;
}

export interface StartRgwOptions {
  /** `rgw_lc_debug_interval` (default 5): seconds per lifecycle day. */
  lifecycleDaySeconds?: number;
  /** Whole start, default 120 s (a busy 2-core machine). */
  timeoutMs?: number;
}

function onPath(program: string, path: string): boolean {
  const dirs = path.split(delimiter).filter(Boolean);
  return dirs.some((dir) => statSync(join(dir, program), { throwIfNoEntry: false })?.isFile());
}

/** Debian packages whose programs are missing (empty: the gateway can be started). */
export function missingGatewayPackages(path = process.env.PATH ?? ''): string[] {
  return Object.entries(PROGRAMS)
    .filter(([, programs]) => programs.some((program) => !onPath(program, path)))
    .map(([pkg]) => pkg);
}

function cephConf(
  dir: string,
  fsid: string,
  ports: { mon: number; rgw: number; bindMin: number },
  lcDay: number,
): string {
  return `[global]
fsid = ${fsid}
mon host = v2:${LOOPBACK}:${ports.mon}
public addr = ${LOOPBACK}
cluster addr = ${LOOPBACK}
ms bind msgr1 = false
ms bind port min = ${ports.bindMin}
ms bind port max = ${ports.bindMin + 99}
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = ${dir}/keyring
run dir = ${dir}/run
pid file = ${dir}/run/$name.pid
log file = ${dir}/log/$name.log
admin socket = ${dir}/run/$name.asok
mon data = ${dir}/mon/$cluster-$id
osd data = ${dir}/osd/$cluster-$id
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
[osd]
osd objectstore = memstore
[client.rgw.a]
rgw frontends = beast endpoint=${LOOPBACK}:${ports.rgw}
rgw data = ${dir}/rgw
rgw lc debug interval = ${lcDay}
rgw exit timeout secs = 2
# Plain HTTP on loopback: without this the gateway refuses SSE headers (400 InvalidRequest).
rgw crypt require ssl = false
`;
}

/** A foreground daemon, tracked; its output is kept to explain a failed start. */
function daemon(
  program: string,
  args: string[],
): { child: ChildProcess; exited: Promise<unknown>; output: () => string } {
  const child = spawn(program, ['-f', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const output = tail();
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  const exited = new Promise((done) => {
    child.once('exit', done);
    child.once('error', done);
  });
  return { child, exited, output: output.text };
}

export async function startRgw(options: StartRgwOptions = {}): Promise<RgwGateway> {
  const missing = missingGatewayPackages();
  if (missing.length > 0) {
    throw new Error(
      `Ceph gateway not installed (missing ${missing.join(', ')}): ${RGW_INSTALL_HINT}`,
    );
  }
  const lifecycleDaySeconds = options.lifecycleDaySeconds ?? 5;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const left = () => Math.max(1_000, deadline - Date.now());
  const dir = await mkdtemp(join(tmpdir(), 'media-rgw-'));
  const daemons: ReturnType<typeof daemon>[] = [];
  // If this process exits without `stop()`, the daemons get SIGKILL (see `trackChild`) and the
  // data dir goes too (synchronously: nothing can be awaited in an `exit` handler).
  const removeDirOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDirOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // The gateway first (it holds no state), the monitor last; short grace, it is all thrown away.
      for (const d of [...daemons].reverse()) await stopChild(d.child, d.exited, 2_000);
      await rm(dir, { recursive: true, force: true });
      process.off('exit', removeDirOnExit);
    })();
    return stopping;
  };

  const conf = join(dir, 'ceph.conf');
  const tool = (program: string, args: string[]) =>
    run(program, ['-c', conf, ...args], { timeout: left() });
  const failedDaemon = (): Error | undefined => {
    const dead = daemons.find((d) => hasExited(d.child));
    if (!dead) return undefined;
    const last = dead.output().split('\n').slice(-3).join(' | ');
    return new Error(`${dead.child.spawnfile} exited during start${last ? `: ${last}` : ''}`);
  };

  try {
    const ports = {
      mon: await findFreePort(),
      rgw: await findFreePort(),
      // Ceph tries the ports of this range in turn until one binds: collisions are survivable.
      bindMin: 20_000 + Math.floor(Math.random() * 400) * 100,
    };
    await Promise.all(
      ['run', 'log', 'rgw', 'mon/ceph-a', 'osd/ceph-0'].map((d) =>
        mkdir(join(dir, d), { recursive: true }),
      ),
    );
    const fsid = randomUUID();
    await writeFile(conf, cephConf(dir, fsid, ports, lifecycleDaySeconds));
    const keyring = join(dir, 'keyring');
    await run('ceph-authtool', [
      '--create-keyring',
      keyring,
      '--gen-key',
      '-n',
      'mon.',
      '--cap',
      'mon',
      'allow *',
    ]);
    const keys: [string, ...string[]][] = [
      ['client.admin', 'mon', 'allow *', 'osd', 'allow *', 'mgr', 'allow *'],
      ['osd.0', 'mon', 'allow profile osd', 'osd', 'allow *', 'mgr', 'allow profile osd'],
      ['client.rgw.a', 'mon', 'allow rw', 'osd', 'allow rwx', 'mgr', 'allow rw'],
    ];
    for (const [name, ...caps] of keys) {
      const capArgs: string[] = [];
      for (let i = 0; i < caps.length; i += 2)
        capArgs.push('--cap', caps[i] as string, caps[i + 1] as string);
      await run('ceph-authtool', [keyring, '--gen-key', '-n', name, ...capArgs]);
    }
    const monmap = join(dir, 'monmap');
    await run('monmaptool', [
      '--create',
      '--fsid',
      fsid,
      '--addv',
      'a',
      `[v2:${LOOPBACK}:${ports.mon}]`,
      monmap,
    ]);
    await tool('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', keyring]);
    daemons.push(daemon('ceph-mon', ['-c', conf, '-i', 'a']));

    const osdUuid = randomUUID();
    await tool('ceph', ['--connect-timeout', '30', 'osd', 'new', osdUuid, '0']);
    await tool('ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    daemons.push(daemon('ceph-osd', ['-c', conf, '-i', '0']));
    // The gateway waits for the OSD by itself (it creates its pools once the OSD is up).
    daemons.push(daemon('radosgw', ['-c', conf, '-n', 'client.rgw.a']));

    const endpoint = `http://${LOOPBACK}:${ports.rgw}`;
    await waitUntil(
      `Ceph gateway on port ${ports.rgw}`,
      async () => {
        const response = await fetch(endpoint, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
      },
      { timeoutMs: left(), failed: failedDaemon },
    );
    await tool('radosgw-admin', [
      '-n',
      'client.admin',
      'user',
      'create',
      '--uid',
      'media-test',
      '--display-name',
      'media service tests',
      '--access-key',
      RGW_CREDENTIALS.accessKeyId,
      '--secret-key',
      RGW_CREDENTIALS.secretAccessKey,
    ]);
    // Signed requests work once the user is visible to the gateway.
    const s3 = new S3Client(
      s3ClientSettingsFor({ endpoint, region: REGION, credentials: RGW_CREDENTIALS }),
    );
    try {
      await waitUntil('Ceph gateway S3 user', () => s3.send(new ListBucketsCommand({})), {
        timeoutMs: left(),
        failed: failedDaemon,
      });
    } finally {
      s3.destroy();
    }
    return {
      endpoint,
      region: REGION,
      credentials: { ...RGW_CREDENTIALS },
      lifecycleDaySeconds,
      dataDir: dir,
      pids: daemons.map((d) => d.child.pid as number),
      stop,
    };
  } catch (error) {
    const logs = daemons.map(
      (d) => `${d.child.spawnfile}: ${d.output().split('\n').slice(-2).join(' | ')}`,
    );
    await stop();
    throw new Error(
      `Ceph gateway did not start: ${errorMessage(error)}${logs.length ? `\n${logs.join('\n')}` : ''}`,
    );
  }
}
