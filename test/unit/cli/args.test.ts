import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, parseAdminArgs, UsageError, usage } from '../../../lib/cli/args.ts';

const parse = (line: string) => parseAdminArgs(line.split(' '));

function usageError(argv: string[]): string {
  try {
    parseAdminArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a usage error for ${JSON.stringify(argv)}`);
}

describe('parseAdminArgs: valid commands', () => {
  it('workspace create', () => {
    expect(parseAdminArgs(['workspace', 'create', '--name', '  Acme Inc '])).toEqual({
      command: 'workspace create',
      name: 'Acme Inc',
    });
  });

  it('accepts --flag=value', () => {
    expect(parseAdminArgs(['workspace', 'create', '--name=Acme'])).toEqual({
      command: 'workspace create',
      name: 'Acme',
    });
  });

  it('user create with and without --image', () => {
    expect(
      parse('user create --workspace ws_1 --name Ann --email ann@example.com --role admin'),
    ).toEqual({
      command: 'user create',
      workspaceId: 'ws_1',
      name: 'Ann',
      email: 'ann@example.com',
      role: 'admin',
    });
    expect(
      parse(
        'user create --role member --email a@b.co --name A --workspace ws_1 --image https://x.test/a.png',
      ),
    ).toMatchObject({ image: 'https://x.test/a.png', role: 'member' });
  });

  it('member set-role and member remove', () => {
    expect(parse('member set-role --workspace ws_1 --user usr_1 --role owner')).toEqual({
      command: 'member set-role',
      workspaceId: 'ws_1',
      userId: 'usr_1',
      role: 'owner',
    });
    expect(parse('member remove --workspace ws_1 --user usr_1')).toEqual({
      command: 'member remove',
      workspaceId: 'ws_1',
      userId: 'usr_1',
    });
  });

  it('key create defaults to both scopes and no expiry', () => {
    expect(parse('key create --workspace ws_1 --user usr_1')).toEqual({
      command: 'key create',
      workspaceId: 'ws_1',
      userId: 'usr_1',
      scopes: ['media:read', 'media:write'],
    });
  });

  it('key create takes a scope list (deduplicated) and any epoch ms, past included', () => {
    expect(
      parse(
        'key create --workspace ws_1 --user usr_1 --scopes media:read,media:read --expires-at 0',
      ),
    ).toMatchObject({ scopes: ['media:read'], expiresAt: 0 });
    expect(
      parse(
        'key create --workspace ws_1 --user usr_1 --scopes media:write --expires-at 1700000000000',
      ),
    ).toMatchObject({ scopes: ['media:write'], expiresAt: 1_700_000_000_000 });
  });

  it('key revoke', () => {
    expect(parse('key revoke --id key_abc')).toEqual({ command: 'key revoke', keyId: 'key_abc' });
  });

  it('project commands (visibility defaults to public)', () => {
    expect(parse('project create --workspace ws_1 --name Launch')).toEqual({
      command: 'project create',
      workspaceId: 'ws_1',
      name: 'Launch',
      visibility: 'public',
    });
    expect(parse('project create --workspace ws_1 --name X --visibility private')).toMatchObject({
      visibility: 'private',
    });
    expect(parse('project add-member --project prj_1 --user usr_1')).toEqual({
      command: 'project add-member',
      projectId: 'prj_1',
      userId: 'usr_1',
    });
    expect(parse('project remove-member --project prj_1 --user usr_1')).toEqual({
      command: 'project remove-member',
      projectId: 'prj_1',
      userId: 'usr_1',
    });
    expect(parse('project set-visibility --project prj_1 --visibility private')).toEqual({
      command: 'project set-visibility',
      projectId: 'prj_1',
      visibility: 'private',
    });
  });

  it('post commands (status defaults to published)', () => {
    expect(parse('post create --project prj_1 --author usr_1 --title Hello')).toEqual({
      command: 'post create',
      projectId: 'prj_1',
      authorId: 'usr_1',
      title: 'Hello',
      status: 'published',
    });
    expect(parse('post update --id pst_1 --status draft')).toEqual({
      command: 'post update',
      postId: 'pst_1',
      status: 'draft',
    });
    expect(parse('post update --id pst_1 --author usr_2 --title New')).toEqual({
      command: 'post update',
      postId: 'pst_1',
      authorId: 'usr_2',
      title: 'New',
    });
    expect(parse('post delete --id pst_1')).toEqual({ command: 'post delete', postId: 'pst_1' });
  });

  it('media legal-hold parses', () => {
    expect(parse('media legal-hold --id att_1 --on')).toEqual({
      command: 'media legal-hold',
      attachmentId: 'att_1',
      on: true,
    });
    expect(parse('media legal-hold --off --id att_1')).toMatchObject({ on: false });
  });

  it('demo takes no flags', () => {
    expect(parseAdminArgs(['demo'])).toEqual({ command: 'demo' });
  });

  it('--help / -h anywhere asks for the usage', () => {
    expect(parseAdminArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseAdminArgs(['-h'])).toEqual({ command: 'help' });
    expect(parseAdminArgs(['key', 'create', '--help'])).toEqual({ command: 'help' });
  });
});

describe('parseAdminArgs: usage errors', () => {
  it.each([
    [[], /missing command/],
    [['--name', 'x'], /expected a command/],
    [['nope'], /unknown command "nope"/],
    [['workspace'], /"workspace" needs a subcommand: create/],
    [['workspace', 'delete', '--name', 'x'], /unknown command "workspace delete"/],
    [['demo', 'now'], /unexpected argument now/],
    [['demo', '--name', 'x'], /unknown flag --name/],
    [['workspace', 'create'], /missing --name/],
    [['workspace', 'create', '--name'], /--name needs a value/],
    [['workspace', 'create', '--name', '--name'], /--name needs a value/],
    [['workspace', 'create', '--name', 'a', '--name', 'b'], /--name is given more than once/],
    [['workspace', 'create', '--name', 'a', '--color', 'red'], /unknown flag --color/],
    [['workspace', 'create', '--name', 'a', 'extra'], /unexpected argument extra/],
    [['workspace', 'create', '--name', '   '], /--name: must not be empty/],
    [['workspace', 'create', '--name', 'x'.repeat(201)], /--name: must be at most 200/],
    [
      ['user', 'create', '--workspace', 'ws_1', '--name', 'A', '--email', 'a@b.co'],
      /missing --role/,
    ],
    [
      [
        'user',
        'create',
        '--workspace',
        'ws_1',
        '--name',
        'A',
        '--email',
        'a@b.co',
        '--role',
        'boss',
      ],
      /--role must be one of owner, admin, member, got "boss"/,
    ],
    [
      [
        'user',
        'create',
        '--workspace',
        'ws_1',
        '--name',
        'A',
        '--email',
        'nope',
        '--role',
        'owner',
      ],
      /--email: must be an email address/,
    ],
    [
      ['user', 'create', '--workspace', '', '--name', 'A', '--email', 'a@b.co', '--role', 'owner'],
      /--workspace must not be empty/,
    ],
    [['member', 'set-role', '--workspace', 'ws_1', '--user', 'usr_1', '--role', 'Owner'], /--role/],
    [['member', 'remove', '--workspace', 'ws_1'], /missing --user/],
    [
      ['key', 'create', '--workspace', 'ws_1', '--user', 'usr_1', '--scopes', 'media:delete'],
      /--scopes/,
    ],
    [['key', 'create', '--workspace', 'ws_1', '--user', 'usr_1', '--scopes', ''], /--scopes/],
    [
      ['key', 'create', '--workspace', 'ws_1', '--user', 'usr_1', '--scopes', 'media:read,'],
      /--scopes/,
    ],
    [
      ['key', 'create', '--workspace', 'ws_1', '--user', 'usr_1', '--expires-at', 'soon'],
      /--expires-at/,
    ],
    [
      ['key', 'create', '--workspace', 'ws_1', '--user', 'usr_1', '--expires-at', '1.5'],
      /--expires-at/,
    ],
    [
      ['key', 'create', '--workspace', 'ws_1', '--user', 'usr_1', '--expires-at', '1e12'],
      /--expires-at/,
    ],
    [
      ['key', 'create', '--workspace', 'ws_1', '--user', 'usr_1', '--expires-at=-5'],
      /--expires-at/,
    ],
    [
      [
        'key',
        'create',
        '--workspace',
        'ws_1',
        '--user',
        'usr_1',
        '--expires-at',
        '99999999999999999999',
      ],
      /--expires-at/,
    ],
    [['key', 'revoke'], /missing --id/],
    [
      ['project', 'create', '--workspace', 'ws_1', '--name', 'X', '--visibility', 'secret'],
      /--visibility/,
    ],
    [['project', 'set-visibility', '--project', 'prj_1'], /missing --visibility/],
    [['project', 'add-member', '--project', 'prj_1', '--user'], /--user needs a value/],
    [['post', 'create', '--project', 'prj_1', '--author', 'usr_1'], /missing --title/],
    [
      [
        'post',
        'create',
        '--project',
        'prj_1',
        '--author',
        'usr_1',
        '--title',
        'T',
        '--status',
        'live',
      ],
      /--status must be one of draft, published/,
    ],
    [['post', 'update', '--id', 'pst_1'], /at least one of --author, --title, --status/],
    [['post', 'update', '--id', 'pst_1', '--title', ''], /--title: must not be empty/],
    [['post', 'delete', '--id', 'pst_1', '--force'], /unknown flag --force/],
    [['media', 'legal-hold', '--id', 'att_1'], /exactly one of --on, --off/],
    [['media', 'legal-hold', '--id', 'att_1', '--on', '--off'], /exactly one of --on, --off/],
    [['media', 'legal-hold', '--id', 'att_1', '--on=yes'], /--on does not take a value/],
  ])('%j → %s', (argv, expected) => {
    const message = usageError(argv as string[]);
    expect(message).toMatch(expected);
    expect(message).not.toContain('\n');
  });

  it('names the command in flag errors', () => {
    expect(usageError(['key', 'revoke', '--key', 'x'])).toMatch(/^key revoke: unknown flag --key/);
  });
});

describe('usage', () => {
  it('lists every command and the target switch', () => {
    const text = usage();
    for (const command of COMMAND_NAMES) expect(text).toContain(command);
    expect(text).toContain('MEDIA_CLI_TARGET=aws');
    expect(text).toContain('DYNAMODB_ENDPOINT');
    expect(text).toContain('DATA_DIR');
  });
});
