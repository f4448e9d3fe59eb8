/**
 * Delivery of the table's change stream to the event bus (the `stream-events` function): each
 * stream record becomes its domain events (`from-stream-record.ts`), put on the bus in order,
 * ten per PutEvents call.
 *
 * The answer is a partial batch response: the records whose events EventBridge rejected (per
 * entry: PutEvents answers 200 with `FailedEntryCount`), or whose events could not be derived.
 * Lambda checkpoints before the first of them and retries from there (later records too: the
 * stream is read in order), so a rejected event is retried, and an event already put may be
 * put again with the same id (consumers deduplicate). Past the event source's retries the
 * records go to its on-failure destination (`infra/event-delivery.ts`).
 */
import type { DomainEvent } from './domain-events.ts';
import { type ChangeRecord, eventsFromChange } from './from-stream-record.ts';
import type { RejectedEvent } from './publisher.ts';

/** A stream record as the Lambda event carries it (the sequence number identifies it). */
export type StreamEventRecord = ChangeRecord;

export interface PartialBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface EventSink {
  /** Puts the events in order; returns those that were not taken. */
  put(events: readonly DomainEvent[]): Promise<RejectedEvent[]>;
}

export interface DeliveryReport {
  records: number;
  /** Events EventBridge took. */
  published: number;
  failedRecords: number;
}

export async function deliverChanges(
  records: readonly StreamEventRecord[],
  sink: EventSink,
  onFailure: (message: string, details: Record<string, unknown>) => void = () => {},
): Promise<PartialBatchResponse & { report: DeliveryReport }> {
  const events: DomainEvent[] = [];
  const recordOf = new Map<string, StreamEventRecord>();
  const failed = new Set<StreamEventRecord>();
  for (const record of records) {
    try {
      for (const event of eventsFromChange(record)) {
        events.push(event);
        recordOf.set(event.id, record);
      }
    } catch (error) {
      // Nothing after it may be published before it: stop here, retry from this record.
      onFailure('stream record without events', {
        eventID: record.eventID,
        error: error as Error,
      });
      failed.add(record);
      break;
    }
  }
  const rejected = await sink.put(events);
  for (const { event, error } of rejected) {
    onFailure('EventBridge rejected an event', { eventId: event.id, type: event.type, error });
    const record = recordOf.get(event.id);
    if (record) failed.add(record);
  }
  const batchItemFailures = records
    .filter((record) => failed.has(record))
    .map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }));
  return {
    batchItemFailures,
    report: {
      records: records.length,
      published: events.length - rejected.length,
      failedRecords: failed.size,
    },
  };
}
