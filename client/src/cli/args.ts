/**
 * Arguments of the media CLI (operations.md, "The media CLI"). Pure: `parseMediaArgs` turns
 * argv and the environment into a validated command or throws `UsageError` (exit 2).
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Connection {
  url: string;
  key: string;
}

export type MediaCommand =
  | { command: 'help' }
  | {
      command: 'upload';
      file: string;
      postId: string;
      name?: string;
      type?: string;
      /** Where an interrupted upload keeps its state, and a rerun resumes from. */
      resume?: string;
    }
  | { command: 'get' | 'delete' | 'restore'; id: string }
  | { command: 'hold'; id: string; enabled: boolean }
  | {
      command: 'list';
      postId?: string;
      fileType?: string;
      limit?: number;
      cursor?: string;
      all: boolean;
    }
  | { command: 'download'; target: string; output?: string }
  | { command: 'limits' };

export const usage = `Usage: media <command> [options]   (npm run media -- <command> …)

Commands:
  upload FILE --post P [--name N] [--type MIME] [--resume STATE_FILE]
                                  upload a file of any size; prints the attachment
  get ID                          prints the attachment
  list [--post P] [--type T] [--limit N] [--cursor C] [--all]
                                  one page as the API's JSON; --all: every item, as JSON lines
  download ID|URL [-o FILE]       the file's bytes, to FILE or stdout
  delete ID · restore ID          the API's answer
  hold ID --on|--off              place or lift a legal hold; prints the attachment
  limits                          the API's limits (or the client's defaults)

Options:
  --url URL     the API's base URL (default: $MEDIA_API_URL)
  --key KEY     the API key (default: $MEDIA_API_KEY)
  -h, --help    this text

JSON results go to stdout, progress and messages to stderr. Exit codes: 0 ok, 1 API error
(its envelope on stderr), 2 usage error. --resume keeps an interrupted upload's state in
STATE_FILE; running the same command again finishes it.
`;

const options = {
  url: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  post: { type: 'string' },
  name: { type: 'string' },
  type: { type: 'string' },
  resume: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  on: { type: 'boolean' },
  off: { type: 'boolean' },
} as const;

type OptionName = keyof typeof options;
type Values = {
  [K in OptionName]?: (typeof options)[K]['type'] extends 'string' ? string : boolean;
};

/** What each command takes besides --url, --key and --help. */
const ALLOWED: Record<string, { positionals: string[]; options: OptionName[] }> = {
  upload: { positionals: ['FILE'], options: ['post', 'name', 'type', 'resume'] },
  get: { positionals: ['ID'], options: [] },
  delete: { positionals: ['ID'], options: [] },
  restore: { positionals: ['ID'], options: [] },
  hold: { positionals: ['ID'], options: ['on', 'off'] },
  list: { positionals: [], options: ['post', 'type', 'limit', 'cursor', 'all'] },
  download: { positionals: ['ID|URL'], options: ['output'] },
  limits: { positionals: [], options: [] },
};

export function parseMediaArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): { command: MediaCommand; connection?: Connection } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (values.help || name === undefined || name === 'help') return { command: { command: 'help' } };
  const allowed = ALLOWED[name];
  if (!allowed) throw new UsageError(`unknown command "${name}" (see --help)`);
  for (const option of Object.keys(values) as OptionName[]) {
    if (!['url', 'key'].includes(option) && !allowed.options.includes(option)) {
      throw new UsageError(`${name}: --${option} is not an option of ${name}`);
    }
  }
  if (rest.length !== allowed.positionals.length) {
    const wanted = allowed.positionals.length ? allowed.positionals.join(' ') : 'no arguments';
    throw new UsageError(
      `${name}: expects ${wanted}, got ${rest.length ? rest.join(' ') : 'none'}`,
    );
  }
  const command = commandOf(name, rest, values);
  const url = values.url ?? env.MEDIA_API_URL;
  const key = values.key ?? env.MEDIA_API_KEY;
  if (!url) throw new UsageError('no API URL: set MEDIA_API_URL or pass --url');
  if (!key) throw new UsageError('no API key: set MEDIA_API_KEY or pass --key');
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url / MEDIA_API_URL is not a URL: ${url}`);
  }
  return { command, connection: { url, key } };
}

function commandOf(name: string, args: string[], values: Values): MediaCommand {
  const [first = ''] = args;
  switch (name) {
    case 'upload':
      if (!values.post) throw new UsageError('upload: missing --post P');
      return {
        command: 'upload',
        file: first,
        postId: values.post,
        ...(values.name === undefined ? {} : { name: values.name }),
        ...(values.type === undefined ? {} : { type: values.type }),
        ...(values.resume === undefined ? {} : { resume: values.resume }),
      };
    case 'get':
    case 'delete':
    case 'restore':
      return { command: name, id: first };
    case 'hold':
      if (values.on === values.off) throw new UsageError('hold: pass exactly one of --on, --off');
      return { command: 'hold', id: first, enabled: values.on === true };
    case 'list':
      if (values.all && values.cursor !== undefined) {
        throw new UsageError('list: --all walks every page from the first; drop --cursor');
      }
      return {
        command: 'list',
        all: values.all === true,
        ...(values.post === undefined ? {} : { postId: values.post }),
        ...(values.type === undefined ? {} : { fileType: values.type }),
        ...(values.limit === undefined ? {} : { limit: integer('--limit', values.limit) }),
        ...(values.cursor === undefined ? {} : { cursor: values.cursor }),
      };
    case 'download':
      return {
        command: 'download',
        target: first,
        ...(values.output === undefined ? {} : { output: values.output }),
      };
    default:
      return { command: 'limits' };
  }
}

function integer(flag: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw new UsageError(`${flag} must be a positive integer, not "${value}"`);
  return Number(value);
}
