/**
 * X-Ray tracing (Powertools Tracer). Active tracing on the functions records each invocation;
 * the tracer adds a subsegment per AWS SDK call, so a slow request shows which store call it
 * waited on. Off outside Lambda (the tracer detects it), so `npm start` and tests send nothing.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';

export const tracer = new Tracer({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'media',
  // The SDK clients are traced one by one (`traced`), which is every outbound call this service
  // makes. Patching Node's http/https and instrumenting fetch on top would only add a second
  // subsegment to each SDK call and patching work to every cold start.
  captureHTTPsRequests: false,
});

/** The same SDK client, its calls traced when tracing is on (unchanged otherwise). */
export function traced<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}

/**
 * Powertools' `captureLambdaHandler` for the API: one `## handler` subsegment per request,
 * without the response as metadata (a file's bytes or a page of attachments have no place in
 * a trace, and a subsegment over X-Ray's 64 KB is dropped).
 *
 * An error the chain has already answered (`isAnswered`: a 4xx with its envelope) closes the
 * subsegment like an answer, flagged as an error (X-Ray's flag for 4xx), instead of being
 * recorded as an exception: recording one reads `error.stack`, and with source maps on
 * (`NODE_OPTIONS=--enable-source-maps`, as deployed) the first stack of a process decodes the
 * bundle's whole source map, ≈ 35 ms of a cold start for a 401 (bench/README.md). Unexpected
 * errors (500s) are recorded in full, stack included.
 */
export function traceRequests<Event, Result, Ctx extends Context>(
  isAnswered: (error: unknown) => boolean,
  target: Tracer = tracer,
): MiddlewareObj<Event, Result, Error, Ctx> {
  const capture = captureLambdaHandler(target, { captureResponse: false });
  return {
    before: capture.before,
    after: capture.after,
    onError: async (request: Request<Event, Result, Error, Ctx>) => {
      if (request.response === undefined || !isAnswered(request.error)) {
        return capture.onError?.(request as never);
      }
      if (target.isTracingEnabled()) target.getSegment()?.addErrorFlag();
      return capture.after?.(request as never);
    },
  } as MiddlewareObj<Event, Result, Error, Ctx>;
}
