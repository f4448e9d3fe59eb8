/**
 * The admin CLI as a function: argv in, exit code out, output through `io`. `scripts/admin.ts`
 * wires it to the process; tests call it in-process with their own table.
 *
 * Contract: exit 0 with exactly one JSON object (one line) on stdout; otherwise nothing on
 * stdout, one line on stderr, exit 2 for usage errors and 1 for failures.
 */
import { ApiError, ValidationError } from '../errors.ts';
import { parseAdminArgs, UsageError, usage } from './args.ts';
import { handlerFor, isAvailable } from './commands.ts';
import type { OpenedMedia, OpenedTable } from './target.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CliDeps {
  /** Connects to the stores; called only once the arguments are valid. */
  openTable(): Promise<OpenedTable>;
  /** Connects to the media bucket and the event publisher; only media commands call it. */
  openMedia?(): Promise<OpenedMedia>;
}

export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr(`admin: ${oneLine(message)}\n`);
    return code;
  };

  let command: ReturnType<typeof parseAdminArgs>;
  try {
    command = parseAdminArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return fail(EXIT_USAGE, error.message);
    return fail(EXIT_FAILURE, describe(error));
  }
  if (command.command === 'help') {
    io.stdout(usage(isAvailable));
    return EXIT_OK;
  }
  const handler = handlerFor(command);
  if (!handler) return fail(EXIT_FAILURE, `${command.command} is not available yet`);

  let table: OpenedTable | undefined;
  let media: Promise<OpenedMedia> | undefined;
  const openMedia = () => {
    const { openMedia: open } = deps;
    if (!open) throw new Error(`${command.command} needs the media store, which is not configured`);
    media ??= open();
    return media;
  };
  const close = async () => {
    const opened = await media?.catch(() => undefined);
    await closeQuietly(opened, io);
    await closeQuietly(table, io);
  };
  let output: string;
  try {
    table = await deps.openTable();
    output = JSON.stringify(await handler(table.ctx, { media: openMedia }));
  } catch (error) {
    await close();
    // The arguments were checked up front, so a validation error here is still the caller's.
    return fail(error instanceof ValidationError ? EXIT_USAGE : EXIT_FAILURE, describe(error));
  }
  // Print before closing: the write happened, and a new key's secret is shown only this once.
  io.stdout(`${output}\n`);
  await close();
  return EXIT_OK;
}

async function closeQuietly(
  store: { close(): Promise<void> } | undefined,
  io: CliIo,
): Promise<void> {
  try {
    await store?.close();
  } catch (error) {
    io.stderr(`admin: warning: could not stop the local store: ${oneLine(describe(error))}\n`);
  }
}

function describe(error: unknown): string {
  if (error instanceof ApiError || error instanceof UsageError) return error.message;
  if (error instanceof Error) {
    if (error.name === 'TargetError') return error.message;
    const code = (error as { code?: unknown }).code;
    const detail = error.message || (typeof code === 'string' ? code : '');
    return error.name && error.name !== 'Error' ? `${error.name}: ${detail}` : detail;
  }
  return String(error);
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
