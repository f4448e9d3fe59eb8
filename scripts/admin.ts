/**
 * The admin CLI (`npm run admin -- <command> [flags]`, `--help` for the list). Everything lives
 * in `lib/cli/`; this file wires it to the process. stdout carries only the one JSON object, so
 * library logging is silenced before anything that logs is loaded.
 */
import type { LocalStoreStarters } from '../lib/cli/target.ts';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
for (const method of ['log', 'info', 'debug', 'warn', 'trace'] as const) {
  console[method] = () => {};
}
// Errors are one stderr line: no multi-line runtime warnings (e.g. the SDK's Node version notice).
process.removeAllListeners('warning');

const { loadConfig } = await import('../lib/config.ts');
const { runCli, EXIT_FAILURE } = await import('../lib/cli/main.ts');
const { openMediaTarget, openTarget, resolveTarget } = await import('../lib/cli/target.ts');
// The local stack's stores, for commands run while it is not running; loaded only when needed.
const localStores = {
  startDynamoDbLocal: async (options: Parameters<LocalStoreStarters['startDynamoDbLocal']>[0]) =>
    (await import('../local/stores.ts')).startDynamoDbLocal(options),
  startS3Server: async (options: Parameters<LocalStoreStarters['startS3Server']>[0]) =>
    (await import('../local/stores.ts')).startS3Server(options),
};

const write = (stream: NodeJS.WriteStream) => (text: string) => {
  stream.write(text);
};
const flush = (stream: NodeJS.WriteStream) =>
  new Promise<void>((done) => stream.write('', () => done()));

let code: number;
try {
  code = await runCli(
    process.argv.slice(2),
    { stdout: write(process.stdout), stderr: write(process.stderr) },
    {
      openTable: async () => openTarget(resolveTarget(process.env, loadConfig()), localStores),
      openMedia: async () =>
        openMediaTarget(resolveTarget(process.env, loadConfig()), process.env, localStores),
    },
  );
} catch (error) {
  process.stderr.write(`admin: ${error instanceof Error ? error.message : String(error)}\n`);
  code = EXIT_FAILURE;
}
await Promise.all([flush(process.stdout), flush(process.stderr)]);
// Exit explicitly: idle keep-alive sockets of the SDK client must not hold the process open.
process.exit(code);
