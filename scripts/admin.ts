/**
 * The admin CLI (`npm run admin -- <command> [flags]`, `--help` for the list). Everything lives
 * in `lib/cli/`; this file wires it to the process. stdout carries only the one JSON object, so
 * library logging is silenced before anything that logs is loaded.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
for (const method of ['log', 'info', 'debug', 'warn', 'trace'] as const) {
  console[method] = () => {};
}
// Errors are one stderr line: no multi-line runtime warnings (e.g. the SDK's Node version notice).
process.removeAllListeners('warning');

const { loadConfig } = await import('../lib/config.ts');
const { runCli, EXIT_FAILURE } = await import('../lib/cli/main.ts');
const { openMediaTarget, openTarget, resolveTarget } = await import('../lib/cli/target.ts');

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
      openTable: async () => openTarget(resolveTarget(process.env, loadConfig())),
      openMedia: async () => openMediaTarget(resolveTarget(process.env, loadConfig()), process.env),
    },
  );
} catch (error) {
  process.stderr.write(`admin: ${error instanceof Error ? error.message : String(error)}\n`);
  code = EXIT_FAILURE;
}
await Promise.all([flush(process.stdout), flush(process.stderr)]);
// Exit explicitly: idle keep-alive sockets of the SDK client must not hold the process open.
process.exit(code);
