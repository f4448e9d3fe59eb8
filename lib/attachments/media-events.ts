/**
 * The domain events of uploads and processing: `media.uploaded` (a record was committed, by
 * either upload path) and `media.processed` (processing recorded a thumbnail or metadata).
 *
 * The upload and processing code only calls a `NotifyMediaEvent` it is given, after the change
 * is committed; without one nothing is reported. The handlers give it
 * `publishingMediaEvents(eventPublisherFrom(config))`, which publishes through the service's
 * event publisher (EventBridge on AWS, `${DATA_DIR}/events.ndjson` locally), so this code
 * depends on the publisher interface, never on a transport.
 */
import { attachmentEvent } from '../events/domain-events.ts';
import { type EventPublisher, publishAfterCommit } from '../events/publisher.ts';
import { logger } from '../logger.ts';
import type { Attachment } from './model.ts';

export type MediaEventType = 'media.uploaded' | 'media.processed';

/** Must not be relied on to throw: the change it reports is already committed. */
export type NotifyMediaEvent = (
  type: MediaEventType,
  attachment: Attachment,
  at: number,
) => Promise<void>;

export const ignoreMediaEvents: NotifyMediaEvent = async () => {};

/**
 * Publishes each reported change as one domain event (the attachment's snapshot, `at` as its
 * time), like the lifecycle events: after the commit, at most once, a failure logged and never
 * returned to the caller (`publishAfterCommit`).
 */
export function publishingMediaEvents(publisher: EventPublisher): NotifyMediaEvent {
  return (type, attachment, at) =>
    publishAfterCommit(publisher, [attachmentEvent(type, attachment, at)]);
}

/**
 * Reports a committed change. A failure is logged, never thrown: answering an error for a
 * change that happened would make the client retry against a state that has moved on.
 */
export async function notifyCommitted(
  notify: NotifyMediaEvent | undefined,
  type: MediaEventType,
  attachment: Attachment,
  at: number,
): Promise<void> {
  if (!notify) return;
  try {
    await notify(type, attachment, at);
  } catch (error) {
    logger.error('could not report a media event', {
      eventType: type,
      attachmentId: attachment.id,
      error: error as Error,
    });
  }
}
