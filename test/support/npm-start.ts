/**
 * `npm start` as a process, for the tests that drive it like a user: start it on free ports with
 * its own DATA_DIR, wait until it is ready, and kill whatever is left at the end.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { assertPortFree, findFreePort } from '../../local/processes.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Instance {
  child: ChildProcess;
  dataDir: string;
  url: string;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ports: { port: number; dynamoPort: number; s3Port: number };
}

const started: Instance[] = [];

/**
 * Not a time limit on the work (that depends on how busy the machine is; `npm run bench`
 * measures start-up): only what ends a test whose process hangs.
 */
export const HANG_BACKSTOP_MS = 10 * 60_000;

export function startInstance(
  dataDir: string,
  ports: Instance['ports'],
  { viaNpm = false, env: extraEnv = {} }: { viaNpm?: boolean; env?: NodeJS.ProcessEnv } = {},
): Instance {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DYNAMODB_ENDPOINT', 'S3_ENDPOINT', 'TABLE_NAME', 'BUCKET_NAME']) {
    delete env[name];
  }
  // `viaNpm`: `npm start` itself, as a user or a harness runs it (npm → its script's shell,
  // which execs node). Otherwise what the script runs, `node --import tsx scripts/start.ts`,
  // in one process (tsx's CLI wrapper would relay signals with a 30 ms wait and SIGKILL a child
  // that answers later, e.g. on a loaded machine).
  const [command, args] = viaNpm
    ? ['npm', ['start']]
    : [process.execPath, ['--import', 'tsx', 'scripts/start.ts']];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...env,
      DATA_DIR: dataDir,
      PORT: String(ports.port),
      DYNAMODB_PORT: String(ports.dynamoPort),
      S3_PORT: String(ports.s3Port),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, like a terminal job (and easy to clean up)
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const instance = {
    child,
    dataDir,
    url: `http://127.0.0.1:${ports.port}`,
    output: () => output,
    exit,
    ports,
  };
  started.push(instance);
  return instance;
}

/**
 * Polls /health until it answers 200 (or the process exits). By then (operations.md) the demo
 * keys are printed and demo.json exists: both are asserted at that moment. No time limit of its
 * own: how long a start takes depends on the machine; a hang ends at the test's timeout.
 */
export async function waitReady(instance: Instance): Promise<{ ownerKey: string }> {
  for (;;) {
    if (instance.child.exitCode !== null) {
      throw new Error(`npm start exited early (${instance.child.exitCode}):\n${instance.output()}`);
    }
    let status = 0;
    try {
      status = (await fetch(`${instance.url}/health`)).status;
    } catch {
      // not listening yet
    }
    if (status === 200) {
      const key = /owner\s+(pf_live_[A-Za-z0-9_-]+)/.exec(instance.output());
      expect(key, 'health 200 before the demo keys were printed').not.toBeNull();
      expect(existsSync(join(instance.dataDir, 'demo.json'))).toBe(true);
      return { ownerKey: key?.[1] as string };
    }
    expect([0, 503]).toContain(status);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function javaProcessesFor(dataDir: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes('java') && line.includes(dataDir));
}

/** `pid` and every process below it (npm → node → java), read from `ps`. */
export function processTree(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => {
      const [child, parent] = line.trim().split(/\s+/).map(Number);
      return { child, parent };
    });
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const { child, parent } of rows) if (parent === tree[i] && child) tree.push(child);
  }
  return tree;
}

/** Alive and not a zombie (an exited orphan waits for PID 1 to reap it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * The processes of `pids` still running after a bounded number of polls (a stop takes a few
 * seconds: the API drains, DynamoDB Local gets SIGTERM then, if need be, SIGKILL).
 */
export async function stillRunning(pids: number[], polls = 600): Promise<number[]> {
  let running = pids.filter(isRunning);
  for (let i = 0; i < polls && running.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    running = running.filter(isRunning);
  }
  return running;
}

/** The ports of `instance` that something still listens on. */
export async function portsInUse(ports: Instance['ports']): Promise<number[]> {
  const taken: number[] = [];
  for (const port of Object.values(ports)) {
    await assertPortFree(port, 'test').catch(() => taken.push(port));
  }
  return taken;
}

export async function freePorts(): Promise<Instance['ports']> {
  return {
    port: await findFreePort(),
    dynamoPort: await findFreePort(),
    s3Port: await findFreePort(),
  };
}

/**
 * SIGKILLs every instance's process group (the JVM included), whether or not its first process
 * exited: an orphan left by a failed test stays in the group.
 */
export function killInstances(): void {
  for (const instance of started) {
    try {
      process.kill(-(instance.child.pid as number), 'SIGKILL');
    } catch {
      // gone
    }
  }
}
