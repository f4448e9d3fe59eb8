/**
 * Child processes and ports of the local stores (DynamoDB Local, the Ceph gateway): free ports,
 * waiting for a store to answer, and stopping what was started by PID (SIGTERM, then SIGKILL).
 * Every child is tracked, so an unexpected exit of this process still kills it.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const LOOPBACK = '127.0.0.1';
const STOP_GRACE_MS = 5_000;
// ---------------------------------------------------------------------------------------------
// Ports and small helpers

/** `unref`'d: a pending wait never keeps the process alive on its own. */
export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms).unref());
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A port that was free a moment ago (open a server on port 0, read the port, close it). */
export function findFreePort(host = LOOPBACK): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Fails with a clear message when `port` is taken. DynamoDB Local binds every interface, so
 * the check does too; otherwise a second instance would silently talk to the first one's store.
 */
export function assertPortFree(port: number, what: string, host?: string): Promise<void> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`${what}: port ${port} is already in use`)
          : new Error(`${what}: cannot bind port ${port}: ${error.message}`),
      );
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => done()));
  });
}

export async function resolvePort(port: number, host?: string): Promise<number> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`invalid port ${port}`);
  }
  return port === 0 ? findFreePort(host) : port;
}

/** Retries `probe` until it resolves, the deadline passes, or `failed()` reports a reason. */
export async function waitUntil(
  what: string,
  probe: () => Promise<unknown>,
  { timeoutMs, failed }: { timeoutMs: number; failed?: () => Error | undefined },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const failure = failed?.();
    if (failure) throw failure;
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    const failureAfterProbe = failed?.();
    if (failureAfterProbe) throw failureAfterProbe;
    if (Date.now() >= deadline) {
      throw new Error(
        `${what} did not answer within ${Math.round(timeoutMs / 1000)} s (last error: ${errorMessage(lastError)})`,
      );
    }
    await sleep(150);
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes: tracked so an unexpected exit of this process still kills them

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

export function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // `exit` handlers must be synchronous: send SIGKILL, nothing can be awaited here.
  process.on('exit', () => {
    for (const running of liveChildren) {
      try {
        running.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  graceMs = STOP_GRACE_MS,
): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return;
  child.kill('SIGTERM');
  const gone = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (gone || hasExited(child)) return;
  child.kill('SIGKILL');
  await Promise.race([exited, sleep(graceMs)]);
}

/** Keeps the last few KB of a stream, to explain a failed start. */
export function tail(limit = 4_096): { push(chunk: Buffer | string): void; text(): string } {
  let buffer = '';
  return {
    push(chunk) {
      buffer = (buffer + chunk.toString()).slice(-limit);
    },
    text: () => buffer.trim(),
  };
}
