/**
 * The one way domain events leave the service. `EventBridgePublisher` puts them on the
 * service's bus (AWS); `NdjsonEventPublisher` logs each one and appends it to
 * `${DATA_DIR}/events.ndjson` (local stack). `eventPublisherFrom(config)` picks by config.
 *
 * Who publishes: the events of record changes come from the table's change stream (the
 * `stream-events` function on AWS, `local/stream-events.ts` locally), never from the request
 * that made the change. The storage reconciliation publishes its reports
 * (`media.blob_missing`) directly, after the fact and at most once (`publishAfterCommit`).
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

/** An event EventBridge did not take, and why (its per-entry error). */
export interface RejectedEvent {
  event: DomainEvent;
  error: string;
}

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  /**
   * Puts the events in batches of 10 and returns those EventBridge rejected (PutEvents answers
   * 200 even when entries failed: the failures are per entry, see `FailedEntryCount`). Stops
   * at the first batch with a rejection and returns the events after it as not sent: the
   * caller retries from there, in order.
   */
  async put(events: readonly DomainEvent[]): Promise<RejectedEvent[]> {
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
      if (result.FailedEntryCount) {
        const rejected = batch.flatMap((event, i) => {
          const entry = result.Entries?.[i];
          if (entry?.EventId && !entry.ErrorCode) return [];
          return [
            { event, error: `${entry?.ErrorCode ?? 'NoEntry'}: ${entry?.ErrorMessage ?? ''}` },
          ];
        });
        const notSent = events
          .slice(start + MAX_ENTRIES_PER_CALL)
          .map((event) => ({ event, error: 'NotSent: an earlier batch was rejected' }));
        return [...rejected, ...notSent];
      }
    }
    return [];
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    const rejected = await this.put(events);
    if (rejected.length > 0) {
      const failed = rejected.map(({ event, error }) => `${event.type} ${event.id}: ${error}`);
      throw new Error(`EventBridge rejected ${rejected.length} event(s): ${failed}`);
    }
  }
}

/** The service's bus from the configuration (`EVENT_BUS_NAME`). */
export function eventBridgePublisherFrom(config: ServiceConfig): EventBridgePublisher {
  if (!config.eventBusName) throw new Error('EVENT_BUS_NAME is not set');
  const client = traced(new EventBridgeClient({ region: config.region }));
  return new EventBridgePublisher(client, config.eventBusName);
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
  if (config.eventBusName) return eventBridgePublisherFrom(config);
  return new NdjsonEventPublisher(eventsFileOf(config.dataDir ?? DEFAULT_DATA_DIR));
}

/**
 * Publishes a report about something that already happened. A failure is logged with the
 * events' ids and types, not thrown: the report is not worth failing the work that found it.
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
