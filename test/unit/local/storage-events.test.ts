/**
 * `npm start`'s storage events reach the processing handler as the deployed queue delivers
 * them: an SQS batch whose message body is the notification; a message the handler reports
 * failed (`batchItemFailures`) is delivered again, as the queue would.
 */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LocalStorageEvents } from '../../../local/storage-events.ts';

const notification = {
  Records: [
    {
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      eventTime: '2026-04-01T12:00:00.000Z',
      s3: { bucket: { name: 'bucket' }, object: { key: 'uploads/2026/04/01/abc.png', size: 1 } },
    },
  ],
};

function recording(responses: unknown[]) {
  const received: SQSEvent[] = [];
  const errors: unknown[] = [];
  const events = new LocalStorageEvents({
    bucketName: 'bucket',
    retryDelaysMs: [0, 0],
    onError: (error) => errors.push(error),
    loadHandler: async () => async (event) => {
      received.push(event);
      return responses.shift();
    },
  });
  return { events, received, errors };
}

describe('local storage events', () => {
  it('hands the notification over as the body of a one-message SQS batch', async () => {
    const { events, received, errors } = recording([{ batchItemFailures: [] }]);
    events.dispatch(notification);
    await events.idle();
    expect(received).toHaveLength(1);
    const [record, ...others] = received[0]?.Records ?? [];
    expect(others).toEqual([]);
    expect(record).toMatchObject({ eventSource: 'aws:sqs', messageId: expect.any(String) });
    expect(JSON.parse(record?.body ?? '')).toEqual(notification);
    expect(errors).toEqual([]);
  });

  it('delivers a message reported failed again, and reports it after the last retry', async () => {
    const failed = { batchItemFailures: [{ itemIdentifier: 'x' }] };
    const { events, received, errors } = recording([failed, failed, failed]);
    events.dispatch(notification);
    await events.idle();
    // The first delivery and two retries.
    expect(received).toHaveLength(3);
    expect(errors).toHaveLength(1);
  });

  it('a retry that succeeds ends the delivery', async () => {
    const { events, received, errors } = recording([
      { batchItemFailures: [{ itemIdentifier: 'x' }] },
      { batchItemFailures: [] },
    ]);
    events.dispatch(notification);
    await events.idle();
    expect(received).toHaveLength(2);
    expect(errors).toEqual([]);
  });
});
