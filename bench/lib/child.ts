/** Child processes of the benchmark: always `process.execPath` (the node@22 devDependency). */
import { type ChildProcess, spawn } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const running of live) running.kill('SIGKILL');
  });
}

export interface RunOptions {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed (SIGKILL) after this long; the promise rejects. */
  timeoutMs: number;
  /** Keep stdout (default: discarded, like a Lambda's log stream nobody reads). */
  captureStdout?: boolean;
  /** Open an IPC channel and resolve with the first message. */
  ipc?: boolean;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  message: unknown;
  wallMs: number;
}

/** Runs `node <args>` and waits for it to exit. */
export function runNode(options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [
        'ignore',
        options.captureStdout ? 'pipe' : 'ignore',
        'pipe',
        ...(options.ipc ? (['ipc'] as const) : []),
      ],
    });
    track(child);
    let stdout = '';
    let stderr = '';
    let message: unknown;
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8_000);
    });
    child.on('message', (value) => {
      message ??= value;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${options.args.join(' ')} timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, message, wallMs: performance.now() - started });
    });
  });
}

/** `node --import tsx <file>`: a TypeScript child of the benchmark. */
export function tsxArgs(file: string, extra: string[] = []): string[] {
  return ['--import', 'tsx', ...extra, file];
}
