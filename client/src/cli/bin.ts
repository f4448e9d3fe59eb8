#!/usr/bin/env node
/**
 * The media CLI's process wiring (`npm run media -- …`, or the package's `media` bin).
 * Ctrl-C aborts the running request (an upload with --resume keeps its state).
 */
import { EXIT_API_ERROR, runMediaCli } from './main.ts';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort(new Error(`stopped by ${signal}`)));
}

// A reader that stops early (`media list --all | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

// `npm run` starts scripts in the package root; INIT_CWD is where the user typed the command.
const cwd = process.env.INIT_CWD ?? process.cwd();

let code: number;
try {
  code = await runMediaCli(
    process.argv.slice(2),
    { stdout: process.stdout, stderr: process.stderr },
    { env: process.env, cwd, signal: controller.signal },
  );
} catch (error) {
  process.stderr.write(`media: ${error instanceof Error ? error.message : String(error)}\n`);
  code = EXIT_API_ERROR;
}
process.exitCode = code;
