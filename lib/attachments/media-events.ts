/**
 * The domain events of uploads and processing: `media.uploaded` (a record was committed, by
 * either upload path) and `media.processed` (processing recorded a thumbnail or metadata).
 *
 * The upload and processing code only calls a `NotifyMediaEvent` it is given, after the change
 * is committed; the default does nothing. Wiring it to the service's event publisher
 * (`lib/events/`) is one function in the handlers, so this code does not depend on the
 * transport.
 */
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
