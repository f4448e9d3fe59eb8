/**
 * Structured JSON logs (Powertools Logger). One logger per process; the request middleware
 * appends the request id so every line of a request carries it. Never log keys, headers or
 * file content: log ids and sizes instead.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'media' });
