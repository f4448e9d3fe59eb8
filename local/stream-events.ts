/**
 * The local stand-in for the deployed stream consumer (`functions/stream-events`): it polls
 * DynamoDB Local's change stream of the table (every shard, parents before children), derives
 * the domain events of each committed change (`lib/events/from-stream-record.ts`, the same
 * function as on AWS) and appends each as one JSON line to `${DATA_DIR}/events.ndjson`.
 *
 * Exactly once in the file, across restarts:
 * - after each append, the last sequence number read per shard is saved in
 *   `${DATA_DIR}/events-stream.json` (written to a temporary file, then renamed): a restart
 *   continues after it;
 * - a crash between the append and the save re-reads those records on the next start; their
 *   events have the same ids, and the ids found in the file's tail are skipped.
 * If the position saved is older than the stream keeps (24 h), reading starts at the oldest
 * record kept, with a warning: those changes' events are lost, as on AWS past the stream's
 * retention.
 *
 * DynamoDB Local deletes expired items itself (TTL), which shows up in the stream like on AWS,
 * so purges by TTL are in the file too (`removedBy: "ttl"`).
 *
 * Each poll that finds records runs as its own invocation (`invocation-scope.ts`): its log lines
 * carry its own `correlationId`, never a request's. Safe to import before the environment is
 * set: what reads it is loaded on the first poll.
 *
 * Cheap on DynamoDB Local, which shares the machine with the API: the stream's ARN and shards
 * are described once and again only when a shard closes, after an error, or every
 * `SHARDS_REFRESH_MS`; each shard keeps its live iterator; a poll reads each open shard with
 * one GetRecords (more only while pages come back full); and while polls find nothing the
 * pause between them doubles up to `idlePollIntervalMs`. So an idle stack asks about once a
 * second, not fifteen times (`flush()` still polls at once).
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { LOCAL_CREDENTIALS } from '../lib/db/client.ts';
import type { DomainEvent } from '../lib/events/domain-events.ts';
import {
  readShardToEnd,
  type ShardPosition,
  type StreamRecord,
  shardIterator,
  shardsOf,
  streamArnOf,
} from '../lib/events/table-stream.ts';
import { runInvocation } from './invocation-scope.ts';

export interface StreamEventsOptions {
  dynamoEndpoint: string;
  tableName: string;
  /** `events.ndjson` and the saved positions live here. */
  dataDir: string;
  /** Pause after a poll that found records. Default 200 ms. */
  pollIntervalMs?: number;
  /** Longest pause between polls that find nothing (doubling from `pollIntervalMs`). Default 1 s. */
  idlePollIntervalMs?: number;
  /** Clients to use instead of new ones for `dynamoEndpoint` (tests count their calls). */
  clients?: { dynamo: DynamoDBClient; streams: DynamoDBStreamsClient };
  /** Default: one line on stderr. */
  onError?: (error: unknown) => void;
}

export interface LocalStreamEvents {
  /** Resolves once every change committed before the call is in the file. */
  flush(): Promise<void>;
  /** Stops polling after the poll in progress. Idempotent. */
  stop(): Promise<void>;
}

/** The saved reading positions, per stream (a new table has a new stream). */
interface SavedPositions {
  streamArn: string;
  shards: Record<string, { after?: string; finished?: boolean }>;
}

export const POSITIONS_FILE_NAME = 'events-stream.json';
/** How much of the events file's end is read for ids at start (a crash loses one poll at most). */
const TAIL_BYTES = 1024 * 1024;
const MAX_REMEMBERED_IDS = 20_000;
/** Shards are described again at least this often (new shards appear when one closes). */
export const SHARDS_REFRESH_MS = 60_000;
/** GetRecords' page size: a full page means more records are waiting. */
const RECORDS_PAGE_LIMIT = 1000;

/** The pause after a poll: short while records flow, doubling up to `idleMax` while none do. */
export function nextPollDelay(
  previous: number,
  foundRecords: boolean,
  { busy, idleMax }: { busy: number; idleMax: number },
): number {
  if (foundRecords) return busy;
  return Math.min(idleMax, Math.max(busy, previous * 2));
}

export function startStreamEvents(options: StreamEventsOptions): LocalStreamEvents {
  const dataDir = resolve(options.dataDir);
  const positionsFile = join(dataDir, POSITIONS_FILE_NAME);
  const pollEvery = options.pollIntervalMs ?? 200;
  const idleMax = Math.max(pollEvery, options.idlePollIntervalMs ?? 1_000);
  const onError =
    options.onError ??
    ((error: unknown) =>
      process.stderr.write(`local stream events: ${(error as Error).message}\n`));
  const region = 'us-east-1';
  const clientOptions = {
    endpoint: options.dynamoEndpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
  };
  const ownClients = !options.clients;
  const dynamo = options.clients?.dynamo ?? new DynamoDBClient(clientOptions);
  const streams = options.clients?.streams ?? new DynamoDBStreamsClient(clientOptions);

  let positions: SavedPositions | undefined;
  /** Live iterators, so that a poll does not ask for a new one per shard. */
  const iterators = new Map<string, string>();
  let seen: Set<string> | undefined;
  let deps: Promise<Loaded> | undefined;
  /** The stream and its shards as last described; undefined: describe before reading. */
  let described: { streamArn: string; shards: Shard[]; at: number } | undefined;

  let stopped = false;
  let wake: (() => void) | undefined;
  let polls = 0;
  const waiters: Array<{ after: number; done: () => void }> = [];

  const describe = async () => {
    const streamArn = await streamArnOf(dynamo, options.tableName);
    if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
    described = { streamArn, shards: await shardsOf(streams, streamArn), at: Date.now() };
    return described;
  };

  /** One pass over the open shards; returns how many records it found. */
  const poll = async (): Promise<number> => {
    deps ??= loadDeps(dataDir);
    const { publisher, logger, eventsFromChange } = await deps;
    seen ??= await idsInTail(publisher.file);
    const current =
      described && Date.now() - described.at < SHARDS_REFRESH_MS ? described : await describe();
    const { streamArn, shards } = current;
    positions ??= await loadPositions(positionsFile);
    if (positions?.streamArn !== streamArn) {
      positions = { streamArn, shards: {} };
      iterators.clear();
    }
    const saved = positions;
    const known = new Set(shards.map((shard) => shard.ShardId));
    let found = 0;
    let closed = false;
    for (const shard of shards) {
      const shardId = shard.ShardId as string;
      saved.shards[shardId] ??= {};
      const state = saved.shards[shardId];
      if (state.finished) continue;
      const parent = shard.ParentShardId;
      // A child waits for its parent (unless the parent is gone from the stream already).
      if (parent && known.has(parent) && !saved.shards[parent]?.finished) continue;
      const { records, next } = await readFrom(shardId, state.after);
      if (next) iterators.set(shardId, next);
      else iterators.delete(shardId);
      if (records.length > 0) {
        await runInvocation(async (correlationId) => {
          logger.appendKeys({ correlationId, trigger: 'stream:events' });
          await publisher.publish(newEvents(records, { logger, eventsFromChange }));
          logger.info('stream records turned into events', { shardId, records: records.length });
        });
        state.after = records.at(-1)?.dynamodb?.SequenceNumber ?? state.after;
        found += records.length;
      }
      if (!next) {
        state.finished = true;
        closed = true;
      }
      if (records.length > 0 || !next) await savePositions(positionsFile, saved);
    }
    // A closed shard has children (or will): describe the stream again before the next read.
    if (closed || shards.every((shard) => saved.shards[shard.ShardId as string]?.finished)) {
      described = { ...current, at: Number.NEGATIVE_INFINITY };
    }
    return found;
  };

  /** This shard's records from where reading stopped (live iterator, saved position, start). */
  const readFrom = async (shardId: string, after: string | undefined) => {
    const arn = positions?.streamArn as string;
    const position: ShardPosition = after
      ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: after }
      : { type: 'TRIM_HORIZON' };
    let iterator = iterators.get(shardId);
    try {
      iterator ??= await shardIterator(streams, arn, shardId, position);
      if (!iterator) return { records: [], next: undefined };
      return await readAvailable(streams, iterator);
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        iterators.delete(shardId);
        const fresh = await shardIterator(streams, arn, shardId, position);
        return fresh ? readAvailable(streams, fresh) : { records: [], next: undefined };
      }
      if (error instanceof TrimmedDataAccessException) {
        process.stderr.write(
          `local stream events: shard ${shardId} no longer has the records after ${after}; ` +
            'continuing at its oldest record (the events of the changes in between are lost)\n',
        );
        iterators.delete(shardId);
        const oldest = await shardIterator(streams, arn, shardId, { type: 'TRIM_HORIZON' });
        return oldest ? readAvailable(streams, oldest) : { records: [], next: undefined };
      }
      throw error;
    }
  };

  /** The records' events, minus those already in the file (a re-read after a crash). */
  const newEvents = (
    records: StreamRecord[],
    { logger, eventsFromChange }: Pick<Loaded, 'logger' | 'eventsFromChange'>,
  ): DomainEvent[] => {
    const events: DomainEvent[] = [];
    for (const record of records) {
      let derived: DomainEvent[];
      try {
        derived = eventsFromChange(record);
      } catch (error) {
        // Locally nothing can fix a record later: report it and go on with the stream.
        logger.error('stream record without events', {
          eventID: record.eventID,
          error: error as Error,
        });
        continue;
      }
      for (const event of derived) {
        if (seen?.has(event.id)) continue;
        remember(event.id);
        events.push(event);
      }
    }
    return events;
  };

  const remember = (id: string) => {
    if (!seen) return;
    seen.add(id);
    if (seen.size > MAX_REMEMBERED_IDS) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
  };

  const loop = (async () => {
    let delay = pollEvery;
    while (!stopped) {
      const started = polls;
      let found = 0;
      try {
        found = await poll();
      } catch (error) {
        // The table may have been replaced (a new stream): describe everything again.
        described = undefined;
        iterators.clear();
        if (!stopped) onError(error);
      }
      delay = nextPollDelay(delay, found > 0, { busy: pollEvery, idleMax });
      polls = started + 1;
      for (const waiter of waiters.splice(0)) {
        if (waiter.after < polls) waiter.done();
        else waiters.push(waiter);
      }
      if (stopped) break;
      // A flush that came in during this poll wants the next one now, not after the pause.
      if (waiters.length > 0) continue;
      await new Promise<void>((done) => {
        const timer = setTimeout(done, delay);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          done();
        };
      });
      wake = undefined;
    }
    for (const waiter of waiters.splice(0)) waiter.done();
  })();

  return {
    flush: () =>
      new Promise<void>((done) => {
        if (stopped) return done();
        // While the loop pauses (`wake` set) the next poll starts after this call; a poll in
        // progress may have started before it, so then the one after it.
        waiters.push({ after: wake ? polls : polls + 1, done });
        wake?.();
      }),
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
      if (ownClients) {
        dynamo.destroy();
        streams.destroy();
      }
    },
  };
}

type Loaded = Awaited<ReturnType<typeof loadDeps>>;

/**
 * The shard's records from `iterator` on: one GetRecords, more only while pages come back full
 * (what is left of a short page arrives by the next poll).
 */
const readAvailable = (streams: DynamoDBStreamsClient, iterator: string) =>
  readShardToEnd(streams, iterator, { fullPage: RECORDS_PAGE_LIMIT });

/** The mapping, publisher and logger, loaded on the first poll (they read the environment). */
async function loadDeps(dataDir: string) {
  const [{ NdjsonEventPublisher, eventsFileOf }, { logger }, { eventsFromChange }] =
    await Promise.all([
      import('../lib/events/publisher.ts'),
      import('../lib/logger.ts'),
      import('../lib/events/from-stream-record.ts'),
    ]);
  return { publisher: new NdjsonEventPublisher(eventsFileOf(dataDir)), logger, eventsFromChange };
}

async function loadPositions(file: string): Promise<SavedPositions | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as SavedPositions;
  } catch {
    return undefined; // none yet, or unreadable: the file's tail still prevents duplicates
  }
}

async function savePositions(file: string, positions: SavedPositions): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify(positions));
  await rename(temporary, file);
}

/** The ids of the events at the end of the file (none when there is no file). */
async function idsInTail(file: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (length < size) lines.shift(); // the first line may be cut
    for (const line of lines) {
      try {
        const id = (JSON.parse(line) as { id?: unknown }).id;
        if (typeof id === 'string') ids.add(id);
      } catch {
        // a partial or foreign line
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    await handle?.close();
  }
  return ids;
}
