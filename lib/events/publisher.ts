/**
 * The one way domain events leave the service. `EventBridgePublisher` puts them on the
 * service's bus (AWS); `NdjsonEventPublisher` logs each one and appends it to
 * `${DATA_DIR}/events.ndjson` (local stack). `eventPublisherFrom(config)` picks by config.
 *
 * Events are published after the change they describe has been committed, and at most once:
 * a failed publish is logged (`publishAfterCommit`) but never turns a committed change into
 * an error answer, which a client would retry against a state that has already moved on.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DEFAULT_DATA_DIR, type ServiceConfig } from '../config.ts';
import { logger } from '../logger.ts';
import { traced } from '../observability/tracing.ts';
import { type DomainEvent, EVENT_SOURCE } from './domain-events.ts';

export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES_PER_CALL = 10;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
      const batch = events.slice(start, start + MAX_ENTRIES_PER_CALL);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.type,
            Detail: JSON.stringify(event),
            Time: new Date(event.time),
          })),
        }),
      );
      // PutEvents answers 200 even when entries failed; the failures are per entry.
      if (result.FailedEntryCount) {
        const failed = (result.Entries ?? [])
          .map((entry, i) => ({ entry, event: batch[i] }))
          .filter(({ entry }) => entry.ErrorCode)
          .map(({ entry, event }) => `${event?.type} ${event?.id}: ${entry.ErrorCode}`);
        throw new Error(`EventBridge rejected ${result.FailedEntryCount} event(s): ${failed}`);
      }
    }
  }
}

/** Local stand-in for the bus: one log line and one NDJSON line per event. */
export class NdjsonEventPublisher implements EventPublisher {
  constructor(readonly file: string) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const event of events) {
      logger.info('domain event', { eventType: event.type, eventId: event.id });
    }
    await mkdir(dirname(this.file), { recursive: true });
    // One append per call: lines of concurrent publishers never interleave within a line.
    await appendFile(this.file, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
  }
}

export const EVENTS_FILE_NAME = 'events.ndjson';

/** The local events file of a data directory. */
export const eventsFileOf = (dataDir: string): string => join(resolve(dataDir), EVENTS_FILE_NAME);

/** EventBridge when the configuration names a bus, the local NDJSON file otherwise. */
export function eventPublisherFrom(config: ServiceConfig): EventPublisher {
  if (config.eventBusName) {
    const client = traced(new EventBridgeClient({ region: config.region }));
    return new EventBridgePublisher(client, config.eventBusName);
  }
  return new NdjsonEventPublisher(eventsFileOf(config.dataDir ?? DEFAULT_DATA_DIR));
}

/**
 * Publishes events describing a change that is already committed. A failure is logged with
 * the events' ids and types, not thrown (see the module comment).
 */
export async function publishAfterCommit(
  publisher: EventPublisher,
  events: readonly DomainEvent[],
): Promise<void> {
  try {
    await publisher.publish(events);
  } catch (error) {
    logger.error('could not publish domain events', {
      events: events.map((event) => ({ id: event.id, type: event.type })),
      error: error as Error,
    });
  }
}
