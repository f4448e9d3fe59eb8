/**
 * Argument parsing for the admin CLI (operations.md, "The admin CLI"). Pure: no stores, no
 * environment. `parseAdminArgs` turns argv into a fully validated command, or throws a
 * `UsageError` naming the problem; nothing is written until parsing has succeeded.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { SCOPES, type Scope } from '../auth/scopes.ts';
import { directoryInput } from '../directory/admin/input.ts';
import {
  POST_STATUSES,
  type PostStatus,
  ROLES,
  type Role,
  VISIBILITIES,
  type Visibility,
} from '../directory/model.ts';
import * as z from '../zod.ts';

/** Wrong invocation: unknown command or flag, missing or bad value. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type AdminCommand =
  | { command: 'workspace create'; name: string }
  | {
      command: 'user create';
      workspaceId: string;
      name: string;
      email: string;
      role: Role;
      image?: string;
    }
  | { command: 'member set-role'; workspaceId: string; userId: string; role: Role }
  | { command: 'member remove'; workspaceId: string; userId: string }
  | {
      command: 'key create';
      workspaceId: string;
      userId: string;
      scopes: Scope[];
      expiresAt?: number;
    }
  | { command: 'key revoke'; keyId: string }
  | { command: 'project create'; workspaceId: string; name: string; visibility: Visibility }
  | { command: 'project add-member'; projectId: string; userId: string }
  | { command: 'project remove-member'; projectId: string; userId: string }
  | { command: 'project set-visibility'; projectId: string; visibility: Visibility }
  | {
      command: 'post create';
      projectId: string;
      authorId: string;
      title: string;
      status: PostStatus;
    }
  | {
      command: 'post update';
      postId: string;
      authorId?: string;
      title?: string;
      status?: PostStatus;
    }
  | { command: 'post delete'; postId: string }
  | { command: 'media legal-hold'; attachmentId: string; on: boolean }
  | { command: 'demo' };

export type CommandName = AdminCommand['command'];
export type ParsedArgs = { command: 'help' } | AdminCommand;

type FlagValues = Record<string, string | boolean | undefined>;

interface CommandSpec {
  /** Flags after the command words, as shown in the usage. */
  synopsis: string;
  /** Flag name → type. Every string flag needs a value; no flag may be given twice. */
  flags: Record<string, 'string' | 'boolean'>;
  /** String flags that must be present. */
  required: readonly string[];
  build(values: FlagValues): AdminCommand;
}

const str = (values: FlagValues, flag: string): string | undefined => {
  const value = values[flag];
  return typeof value === 'string' ? value : undefined;
};

/** A required string flag (presence is checked before `build` runs). */
const req = (values: FlagValues, flag: string): string => str(values, flag) ?? '';

function id(flag: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new UsageError(`--${flag} must not be empty`);
  if (/\s/.test(trimmed)) throw new UsageError(`--${flag} must be an id, got "${value}"`);
  return trimmed;
}

function oneOf<T extends string>(flag: string, allowed: readonly T[], value: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
}

/** Validates with the directory's own input rules, so the write cannot reject it later. */
function checked<T extends z.core.$ZodType>(flag: string, schema: T, value: unknown): z.output<T> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  throw new UsageError(`--${flag}: ${result.error.issues[0]?.message ?? 'is invalid'}`);
}

function scopes(value: string): Scope[] {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) {
    throw new UsageError(
      `--scopes must be a comma-separated list of ${SCOPES.join(', ')}, got "${value}"`,
    );
  }
  return [...new Set(parts.map((part) => oneOf('scopes', SCOPES, part)))];
}

function epochMs(flag: string, value: string): number {
  const number = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(number)) {
    throw new UsageError(
      `--${flag} must be a non-negative integer (epoch milliseconds), got "${value}"`,
    );
  }
  return checked(flag, directoryInput.epochMs, number);
}

const name = (flag: string, value: string) => checked(flag, directoryInput.name, value);

const SPECS: Record<CommandName, CommandSpec> = {
  'workspace create': {
    synopsis: '--name N',
    flags: { name: 'string' },
    required: ['name'],
    build: (v) => ({ command: 'workspace create', name: name('name', req(v, 'name')) }),
  },
  'user create': {
    synopsis: '--workspace WS --name N --email E --role owner|admin|member [--image URL]',
    flags: {
      workspace: 'string',
      name: 'string',
      email: 'string',
      role: 'string',
      image: 'string',
    },
    required: ['workspace', 'name', 'email', 'role'],
    build: (v) => {
      const image = str(v, 'image');
      return {
        command: 'user create',
        workspaceId: id('workspace', req(v, 'workspace')),
        name: name('name', req(v, 'name')),
        email: checked('email', directoryInput.email, req(v, 'email')),
        role: oneOf('role', ROLES, req(v, 'role')),
        ...(image === undefined ? {} : { image: checked('image', directoryInput.imageUrl, image) }),
      };
    },
  },
  'member set-role': {
    synopsis: '--workspace WS --user U --role owner|admin|member',
    flags: { workspace: 'string', user: 'string', role: 'string' },
    required: ['workspace', 'user', 'role'],
    build: (v) => ({
      command: 'member set-role',
      workspaceId: id('workspace', req(v, 'workspace')),
      userId: id('user', req(v, 'user')),
      role: oneOf('role', ROLES, req(v, 'role')),
    }),
  },
  'member remove': {
    synopsis: '--workspace WS --user U',
    flags: { workspace: 'string', user: 'string' },
    required: ['workspace', 'user'],
    build: (v) => ({
      command: 'member remove',
      workspaceId: id('workspace', req(v, 'workspace')),
      userId: id('user', req(v, 'user')),
    }),
  },
  'key create': {
    synopsis: '--workspace WS --user U [--scopes media:read,media:write] [--expires-at MS]',
    flags: { workspace: 'string', user: 'string', scopes: 'string', 'expires-at': 'string' },
    required: ['workspace', 'user'],
    build: (v) => {
      const scopeList = str(v, 'scopes');
      const expiresAt = str(v, 'expires-at');
      return {
        command: 'key create',
        workspaceId: id('workspace', req(v, 'workspace')),
        userId: id('user', req(v, 'user')),
        scopes: scopeList === undefined ? [...SCOPES] : scopes(scopeList),
        ...(expiresAt === undefined ? {} : { expiresAt: epochMs('expires-at', expiresAt) }),
      };
    },
  },
  'key revoke': {
    synopsis: '--id K',
    flags: { id: 'string' },
    required: ['id'],
    build: (v) => ({ command: 'key revoke', keyId: id('id', req(v, 'id')) }),
  },
  'project create': {
    synopsis: '--workspace WS --name N [--visibility public|private]',
    flags: { workspace: 'string', name: 'string', visibility: 'string' },
    required: ['workspace', 'name'],
    build: (v) => {
      const visibility = str(v, 'visibility');
      return {
        command: 'project create',
        workspaceId: id('workspace', req(v, 'workspace')),
        name: name('name', req(v, 'name')),
        visibility:
          visibility === undefined ? 'public' : oneOf('visibility', VISIBILITIES, visibility),
      };
    },
  },
  'project add-member': {
    synopsis: '--project P --user U',
    flags: { project: 'string', user: 'string' },
    required: ['project', 'user'],
    build: (v) => ({
      command: 'project add-member',
      projectId: id('project', req(v, 'project')),
      userId: id('user', req(v, 'user')),
    }),
  },
  'project remove-member': {
    synopsis: '--project P --user U',
    flags: { project: 'string', user: 'string' },
    required: ['project', 'user'],
    build: (v) => ({
      command: 'project remove-member',
      projectId: id('project', req(v, 'project')),
      userId: id('user', req(v, 'user')),
    }),
  },
  'project set-visibility': {
    synopsis: '--project P --visibility public|private',
    flags: { project: 'string', visibility: 'string' },
    required: ['project', 'visibility'],
    build: (v) => ({
      command: 'project set-visibility',
      projectId: id('project', req(v, 'project')),
      visibility: oneOf('visibility', VISIBILITIES, req(v, 'visibility')),
    }),
  },
  'post create': {
    synopsis: '--project P --author U --title T [--status draft|published]',
    flags: { project: 'string', author: 'string', title: 'string', status: 'string' },
    required: ['project', 'author', 'title'],
    build: (v) => {
      const status = str(v, 'status');
      return {
        command: 'post create',
        projectId: id('project', req(v, 'project')),
        authorId: id('author', req(v, 'author')),
        title: name('title', req(v, 'title')),
        status: status === undefined ? 'published' : oneOf('status', POST_STATUSES, status),
      };
    },
  },
  'post update': {
    synopsis: '--id P [--author U] [--title T] [--status draft|published]',
    flags: { id: 'string', author: 'string', title: 'string', status: 'string' },
    required: ['id'],
    build: (v) => {
      const author = str(v, 'author');
      const title = str(v, 'title');
      const status = str(v, 'status');
      if (author === undefined && title === undefined && status === undefined) {
        throw new UsageError('post update needs at least one of --author, --title, --status');
      }
      return {
        command: 'post update',
        postId: id('id', req(v, 'id')),
        ...(author === undefined ? {} : { authorId: id('author', author) }),
        ...(title === undefined ? {} : { title: name('title', title) }),
        ...(status === undefined ? {} : { status: oneOf('status', POST_STATUSES, status) }),
      };
    },
  },
  'post delete': {
    synopsis: '--id P',
    flags: { id: 'string' },
    required: ['id'],
    build: (v) => ({ command: 'post delete', postId: id('id', req(v, 'id')) }),
  },
  'media legal-hold': {
    synopsis: '--id A --on | --id A --off',
    flags: { id: 'string', on: 'boolean', off: 'boolean' },
    required: ['id'],
    build: (v) => {
      if (v.on === v.off) throw new UsageError('media legal-hold needs exactly one of --on, --off');
      return {
        command: 'media legal-hold',
        attachmentId: id('id', req(v, 'id')),
        on: v.on === true,
      };
    },
  },
  demo: {
    synopsis: '',
    flags: {},
    required: [],
    build: () => ({ command: 'demo' }),
  },
};

export const COMMAND_NAMES = Object.keys(SPECS) as CommandName[];

/** The help text; commands for which `available` says false are marked "not available yet". */
export function usage(available: (command: CommandName) => boolean = () => true): string {
  const width = Math.max(...COMMAND_NAMES.map((command) => command.length));
  const commands = COMMAND_NAMES.map((command) => {
    const note = available(command) ? '' : '  (not available yet)';
    return `  ${command.padEnd(width)}  ${SPECS[command].synopsis}${note}`.trimEnd();
  });
  return [
    'Usage: npm run admin -- <command> [flags]',
    '',
    'Commands:',
    ...commands,
    '',
    'Each command prints exactly one JSON object on stdout and exits 0. On error it prints one',
    'line on stderr and exits 2 (usage: unknown command or flag, missing or bad value) or 1',
    '(failure: unknown id, store unreachable, ...). Flags take their value as `--flag value` or',
    '`--flag=value`; each flag may be given once.',
    '',
    'Where it writes (environment):',
    '  (default)                the local stack of `npm start`: DynamoDB Local at',
    '                           http://127.0.0.1:$DYNAMODB_PORT (default 8000). If nothing answers',
    '                           there, an embedded DynamoDB Local is started on $DATA_DIR (default',
    '                           .data) on a free port for this one command and stopped afterwards.',
    '  DYNAMODB_ENDPOINT=URL    use the DynamoDB (Local) endpoint at URL as it is.',
    '  MEDIA_CLI_TARGET=aws     real AWS: the table $TABLE_NAME (required) in $AWS_REGION (required)',
    '                           with the default AWS credential chain (AWS_PROFILE, access keys,',
    '                           SSO, instance role). Cannot be combined with DYNAMODB_ENDPOINT.',
    '  MEDIA_CLI_TARGET=local   the default, spelled out.',
    '  TABLE_NAME               table name (default media-service).',
    '',
  ].join('\n');
}

/** argv without the node/script entries, e.g. `['workspace', 'create', '--name', 'Acme']`. */
export function parseAdminArgs(argv: readonly string[]): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { command: 'help' };

  const words: string[] = [];
  for (const arg of argv.slice(0, 2)) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  if (words.length === 0) {
    throw new UsageError(
      argv.length === 0 ? 'missing command (see --help)' : `expected a command before "${argv[0]}"`,
    );
  }
  const [group = '', sub] = words;
  const commandName = group === 'demo' ? 'demo' : `${group} ${sub ?? ''}`.trim();
  const spec = SPECS[commandName as CommandName] as CommandSpec | undefined;
  if (!spec) throw unknownCommand(group, sub);
  const rest = argv.slice(group === 'demo' ? 1 : 2);

  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [flag, type] of Object.entries(spec.flags)) options[flag] = { type };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options,
      strict: true,
      allowPositionals: false,
      allowNegative: false,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError(`${commandName}: ${parseArgsMessage(error)}`);
  }

  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) {
      throw new UsageError(`${commandName}: --${token.name} is given more than once`);
    }
    seen.add(token.name);
  }
  const values = parsed.values as FlagValues;
  const absent = spec.required.filter((flag) => values[flag] === undefined);
  if (absent.length > 0) {
    throw new UsageError(
      `${commandName}: missing ${absent.map((flag) => `--${flag}`).join(', ')} (usage: ${commandName} ${spec.synopsis})`,
    );
  }
  try {
    return spec.build(values);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${commandName}: ${error.message}`);
    throw error;
  }
}

function unknownCommand(group: string, sub: string | undefined): UsageError {
  const inGroup = COMMAND_NAMES.filter((command) => command.startsWith(`${group} `));
  if (inGroup.length === 0) {
    const groups = [...new Set(COMMAND_NAMES.map((command) => command.split(' ')[0]))];
    return new UsageError(`unknown command "${group}" (commands: ${groups.join(', ')})`);
  }
  const subs = inGroup.map((command) => command.slice(group.length + 1)).join(', ');
  return sub === undefined
    ? new UsageError(`"${group}" needs a subcommand: ${subs}`)
    : new UsageError(`unknown command "${group} ${sub}" (${group} commands: ${subs})`);
}

/** parseArgs messages are long and mention internals; keep the part an operator needs. */
function parseArgsMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-{1,2}[^'\s]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag ?? message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? message} (flag values go after their --flag)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) return `${flag} does not take a value`;
      if (/ambiguous/.test(message)) {
        return `${flag} needs a value (write ${flag}=-… for a value that starts with "-")`;
      }
      return `${flag ?? 'a flag'} needs a value`;
    default:
      return message.split('\n')[0] ?? message;
  }
}
