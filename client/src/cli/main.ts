/**
 * The media CLI as a function: argv in, exit code out, output through `io`. `bin.ts` wires it
 * to the process; tests call it in-process.
 *
 * Contract (operations.md): JSON results on stdout; progress and messages on stderr; exit 0 on
 * success, 1 on an API error (its envelope on stderr), 2 on a usage error.
 */
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { MediaClient } from '../client.ts';
import { MediaApiError, UploadInterruptedError } from '../errors.ts';
import type { RetryEvent } from '../retry.ts';
import type { FetchLike } from '../transport.ts';
import type { FileType } from '../types.ts';
import type { ResumableUpload } from '../upload-state.ts';
import { type Connection, type MediaCommand, parseMediaArgs, UsageError, usage } from './args.ts';
import { progressDisplay } from './progress.ts';

export const EXIT_OK = 0;
export const EXIT_API_ERROR = 1;
export const EXIT_USAGE = 2;

export interface MediaCliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

export interface MediaCliDeps {
  env: Record<string, string | undefined>;
  /** Where relative FILE paths start (npm runs scripts in the package root: see bin.ts). */
  cwd: string;
  fetch?: FetchLike;
  /** Aborts a running command (bin.ts: SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Test hook: fast retries. */
  retryBaseDelayMs?: number;
}

export async function runMediaCli(
  argv: readonly string[],
  io: MediaCliIo,
  deps: MediaCliDeps,
): Promise<number> {
  let parsed: ReturnType<typeof parseMediaArgs>;
  try {
    parsed = parseMediaArgs(argv, deps.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`media: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const { command, connection } = parsed;
  if (command.command === 'help' || !connection) {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  const client = clientFor(connection, io, deps);
  try {
    await run(client, command, io, deps);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`media: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`${JSON.stringify(envelopeOf(error))}\n`);
    return EXIT_API_ERROR;
  }
}

function clientFor(connection: Connection, io: MediaCliIo, deps: MediaCliDeps): MediaClient {
  return new MediaClient({
    baseUrl: connection.url,
    apiKey: connection.key,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.retryBaseDelayMs === undefined
      ? {}
      : { retry: { baseDelayMs: deps.retryBaseDelayMs } }),
    onRetry: (event: RetryEvent) => io.stderr.write(`media: ${describeRetry(event)}\n`),
  });
}

async function run(
  client: MediaClient,
  command: Exclude<MediaCommand, { command: 'help' }>,
  io: MediaCliIo,
  deps: MediaCliDeps,
): Promise<void> {
  const signal = deps.signal;
  const print = (value: unknown): void => {
    io.stdout.write(`${JSON.stringify(value)}\n`);
  };
  switch (command.command) {
    case 'upload':
      return print(await uploadFile(client, command, io, deps));
    case 'get':
      return print(await client.get(command.id, { signal }));
    case 'delete':
      return print(await client.delete(command.id, { signal }));
    case 'restore':
      return print(await client.restore(command.id, { signal }));
    case 'hold':
      return print(await client.setLegalHold(command.id, command.enabled, { signal }));
    case 'limits':
      return print(await client.limits({ signal }));
    case 'list': {
      const query = {
        ...(command.postId === undefined ? {} : { postId: command.postId }),
        // Passed as given: the API answers an unknown type with a 400 naming the field.
        ...(command.fileType === undefined ? {} : { fileType: command.fileType as FileType }),
        ...(command.limit === undefined ? {} : { limit: command.limit }),
      };
      if (!command.all) {
        return print(
          await client.listPage({ ...query, cursor: command.cursor ?? null }, { signal }),
        );
      }
      // JSON lines, written as each page arrives.
      for await (const item of client.list(query, { signal })) print(item);
      return;
    }
    case 'download': {
      if (!command.output && io.stdout.isTTY) {
        throw new UsageError('download: stdout is a terminal; pass -o FILE or redirect it');
      }
      const stream = await client.download(command.target, { signal });
      const body = Readable.fromWeb(stream as NodeReadableStream<Uint8Array>);
      if (!command.output) {
        await pipeline(body, io.stdout, { end: false });
        return;
      }
      // Written aside and renamed: FILE never holds a partial download.
      const file = resolve(deps.cwd, command.output);
      const partial = `${file}.part`;
      try {
        await pipeline(body, createWriteStream(partial), { signal });
        await rename(partial, file);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      return;
    }
  }
}

async function uploadFile(
  client: MediaClient,
  command: Extract<MediaCommand, { command: 'upload' }>,
  io: MediaCliIo,
  deps: MediaCliDeps,
) {
  const path = resolve(deps.cwd, command.file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UsageError(`upload: cannot read ${command.file}: ${(error as Error).message}`);
  }
  const fileName = command.name ?? basename(path);
  const statePath = command.resume ? resolve(deps.cwd, command.resume) : undefined;
  const saved = statePath ? await readState(statePath) : undefined;
  const progress = progressDisplay(io.stderr, fileName);
  const options = { onProgress: progress.update, ...(deps.signal ? { signal: deps.signal } : {}) };
  try {
    const attachment = saved
      ? await client.resumeUpload(saved, bytes, options)
      : await client.upload(bytes, {
          postId: command.postId,
          fileName,
          ...(command.type === undefined ? {} : { mimeType: command.type }),
          ...options,
        });
    progress.stop();
    if (statePath) await rm(statePath, { force: true });
    return attachment;
  } catch (error) {
    progress.stop();
    if (error instanceof UploadInterruptedError && statePath) {
      await writeFile(statePath, `${JSON.stringify(error.resume)}\n`);
      io.stderr.write(`media: state kept in ${command.resume}; run the same command to resume\n`);
    }
    throw error;
  }
}

async function readState(path: string): Promise<ResumableUpload | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined; // nothing to resume: a fresh upload
  }
  try {
    return JSON.parse(text) as ResumableUpload;
  } catch {
    throw new UsageError(`--resume ${path} does not hold an upload state`);
  }
}

/** The API's envelope; other failures (network, interruption) in the same shape. */
function envelopeOf(error: unknown): object {
  if (error instanceof MediaApiError) return error.toJSON();
  if (error instanceof UploadInterruptedError) {
    const cause = error.cause;
    if (cause instanceof MediaApiError) return cause.toJSON();
    return { error: { code: 'upload_interrupted', message: error.message } };
  }
  const message = error instanceof Error ? messageWithCause(error) : String(error);
  return { error: { code: 'client_error', message } };
}

function messageWithCause(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

function describeRetry(event: RetryEvent): string {
  const why =
    event.status !== undefined
      ? `HTTP ${event.status}`
      : event.error instanceof Error
        ? messageWithCause(event.error)
        : 'network error';
  return `${event.method} ${event.url}: ${why}; retry ${event.retry} in ${(event.delayMs / 1000).toFixed(1)} s`;
}
