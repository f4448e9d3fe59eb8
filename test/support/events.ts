/**
 * The domain events the local stack wrote (`${DATA_DIR}/events.ndjson`, appended by its stream
 * consumer `local/stream-events.ts`). Test files share one stack and one file, so they look at
 * the events about their own attachments only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { DomainEvent, EventType } from '../../lib/events/domain-events.ts';
import { EVENTS_FILE_NAME } from '../../lib/events/publisher.ts';

/** The events file of a data directory; by default the running stack's. */
export const eventsFile = (dataDir: string = inject('dataDir')): string =>
  join(dataDir, EVENTS_FILE_NAME);

/** Every event published about attachment `id`, in order (of `type` only when given). */
export async function eventsAbout(
  id: string,
  type?: EventType,
  file: string = eventsFile(),
): Promise<DomainEvent[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DomainEvent)
    .filter((event) => (event.data as { attachment?: { id?: string } }).attachment?.id === id)
    .filter((event) => type === undefined || event.type === type);
}

/**
 * Waits until `count` events of `type` about `id` are in the file (the stack's stream consumer
 * appends them in the background). Bounded by a number of polls, not by a time.
 */
export async function waitForEvents(
  id: string,
  type: EventType,
  count = 1,
  attempts = 600,
): Promise<DomainEvent[]> {
  for (let attempt = 1; ; attempt++) {
    const events = await eventsAbout(id, type);
    if (events.length >= count) return events;
    if (attempt >= attempts) {
      throw new Error(
        `${events.length} of ${count} ${type} event(s) about ${id} after ${attempts} polls`,
      );
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}
