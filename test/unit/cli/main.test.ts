import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../lib/cli/main.ts';
import type { OpenedMedia, OpenedTable } from '../../../lib/cli/target.ts';

/** A table whose client answers every request with `send`; no store involved. */
function fakeTable(send: (command: unknown) => Promise<unknown>) {
  const close = vi.fn(async () => {});
  const opened: OpenedTable = {
    ctx: { db: { send } as unknown as DynamoDBDocumentClient, tableName: 't' },
    close,
  };
  const openTable = vi.fn(async () => opened);
  return { openTable, close };
}

async function run(argv: string[], openTable: () => Promise<OpenedTable>) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    { openTable },
  );
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it('prints one JSON object and exits 0, closing the stores', async () => {
    const table = fakeTable(async () => ({}));
    const result = await run(['workspace', 'create', '--name', 'Acme'], table.openTable);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^\{"id":"ws_[0-9a-z]{20}"\}\n$/);
    expect(table.close).toHaveBeenCalledOnce();
  });

  it('prints {"ok":true} for commands without a new id', async () => {
    const table = fakeTable(async () => ({}));
    const result = await run(['key', 'revoke', '--id', 'key_x'], table.openTable);
    expect(result).toEqual({ code: 0, stdout: '{"ok":true}\n', stderr: '' });
  });

  it('usage errors: exit 2, one stderr line, nothing on stdout, stores never opened', async () => {
    const table = fakeTable(async () => ({}));
    const result = await run(['project', 'create', '--workspace', 'ws_1'], table.openTable);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^admin: project create: missing --name.*\n$/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(table.openTable).not.toHaveBeenCalled();
  });

  it('--help prints the usage on stdout and exits 0 without opening the stores', async () => {
    const table = fakeTable(async () => ({}));
    const result = await run(['--help'], table.openTable);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: npm run admin --');
    expect(result.stdout).not.toMatch(/media legal-hold .*\(not available yet\)/);
    expect(result.stdout).not.toMatch(/workspace create .*\(not available yet\)/);
    expect(table.openTable).not.toHaveBeenCalled();
  });

  it('media legal-hold on an unknown id: exit 1 with one line, media store opened and closed', async () => {
    const table = fakeTable(async () => ({})); // GetItem finds nothing
    const closeMedia = vi.fn(async () => {});
    const openMedia = vi.fn(async () => ({
      store: {} as OpenedMedia['store'],
      close: closeMedia,
    }));
    let stdout = '';
    let stderr = '';
    const code = await runCli(
      ['media', 'legal-hold', '--id', 'att_unknown1', '--on'],
      { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
      { openTable: table.openTable, openMedia },
    );
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: 'admin: Attachment att_unknown1 was not found.\n',
    });
    expect(openMedia).toHaveBeenCalledOnce();
    expect(closeMedia).toHaveBeenCalledOnce();
    expect(table.close).toHaveBeenCalledOnce();
  });

  it('media legal-hold without a media store configured: exit 1, says so', async () => {
    const table = fakeTable(async () => ({}));
    const result = await run(['media', 'legal-hold', '--id', 'att_1', '--off'], table.openTable);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^admin: media legal-hold needs the media store.*\n$/);
  });

  it('other commands never open the media store', async () => {
    const table = fakeTable(async () => ({}));
    const openMedia = vi.fn();
    const code = await runCli(
      ['key', 'revoke', '--id', 'key_x'],
      { stdout: () => {}, stderr: () => {} },
      { openTable: table.openTable, openMedia },
    );
    expect(code).toBe(0);
    expect(openMedia).not.toHaveBeenCalled();
  });

  it('store failures: exit 1 with one line, and the stores are still closed', async () => {
    const table = fakeTable(async () => {
      const error = new Error('first line\n  second line');
      error.name = 'InternalServerError';
      throw error;
    });
    const result = await run(['workspace', 'create', '--name', 'Acme'], table.openTable);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'admin: InternalServerError: first line second line\n',
    });
    expect(table.close).toHaveBeenCalledOnce();
  });

  it('a target that cannot be opened: exit 1 with its reason', async () => {
    const result = await run(['demo'], async () => {
      throw Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'admin: AggregateError: ECONNREFUSED\n',
    });
  });

  it('output is printed even when closing the stores fails afterwards', async () => {
    const table = fakeTable(async () => ({}));
    table.close.mockRejectedValueOnce(new Error('java would not stop'));
    const result = await run(['post', 'delete', '--id', 'pst_1'], table.openTable);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{"ok":true}\n');
    expect(result.stderr).toContain('java would not stop');
  });
});
