/**
 * X-Ray tracing (Powertools Tracer). Active tracing on the functions records each invocation;
 * the tracer adds a subsegment per AWS SDK call, so a slow request shows which store call it
 * waited on. Off outside Lambda (the tracer detects it), so `npm start` and tests send nothing.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'media' });

/** The same SDK client, its calls traced when tracing is on (unchanged otherwise). */
export function traced<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
