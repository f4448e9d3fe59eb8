/**
 * The API's tracing middleware: a subsegment per request, closed on every outcome; answered
 * 4xx are flagged, never recorded as exceptions (that would read their stacks), 500s are.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ApiError, NotFoundError } from '../../../lib/errors.ts';
import { traceRequests } from '../../../lib/observability/tracing.ts';

/** The part of Powertools' Tracer its Middy middleware uses, recording what it is asked. */
function fakeTracer() {
  const calls: string[] = [];
  const subsegment = {
    close: () => calls.push('close'),
    addErrorFlag: () => calls.push('errorFlag'),
  };
  let current: unknown = {
    addNewSubsegment: () => {
      calls.push('open');
      return subsegment;
    },
  };
  const tracer = {
    isTracingEnabled: () => true,
    getSegment: () => current,
    setSegment: (segment: unknown) => {
      current = segment;
    },
    annotateColdStart: () => undefined,
    addServiceNameAnnotation: () => undefined,
    addResponseAsMetadata: () => calls.push('response'),
    addErrorAsMetadata: (error: Error) => calls.push(`exception:${error.message}`),
  };
  return { tracer: tracer as unknown as Tracer, calls };
}

function handlerThrowing(error: Error, tracer: Tracer) {
  return middy<unknown, unknown>()
    .use(traceRequests((e) => e instanceof ApiError, tracer))
    .use({
      // Stands for the request middleware: it answers every error with an envelope.
      onError: (request) => {
        request.response = { statusCode: error instanceof ApiError ? error.statusCode : 500 };
      },
    })
    .handler(async () => {
      throw error;
    });
}

describe('traceRequests', () => {
  it('closes an answered 4xx as an answer flagged as an error, without reading its stack', async () => {
    const { tracer, calls } = fakeTracer();
    const error = new NotFoundError('gone');
    let stackRead = false;
    Object.defineProperty(error, 'stack', {
      get: () => {
        stackRead = true;
        return '';
      },
    });
    const response = await handlerThrowing(error, tracer)({}, {} as Context);
    expect(response).toEqual({ statusCode: 404 });
    expect(calls).toEqual(['open', 'errorFlag', 'close']);
    expect(stackRead).toBe(false);
  });

  it('records an unexpected error as an exception', async () => {
    const { tracer, calls } = fakeTracer();
    const response = await handlerThrowing(new Error('boom'), tracer)({}, {} as Context);
    expect(response).toEqual({ statusCode: 500 });
    expect(calls).toEqual(['open', 'exception:boom', 'close']);
  });

  it('keeps responses out of the trace', async () => {
    const { tracer, calls } = fakeTracer();
    const handler = middy<unknown, unknown>()
      .use(traceRequests(() => false, tracer))
      .handler(async () => ({ statusCode: 200, body: 'file bytes' }));
    await handler({}, {} as Context);
    expect(calls).toEqual(['open', 'close']);
  });
});
