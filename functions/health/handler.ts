/**
 * `GET /health`: no key; 200 only when the table and the bucket both answer. Data-plane probes,
 * reused for a few seconds (lib/health.ts), so hitting it costs the stores next to nothing.
 */

import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { cachedHealthCheck } from '../../lib/health.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { jsonResponse } from '../../lib/http/types.ts';
import { createS3Client } from '../../lib/storage/s3-client.ts';

const storesHealthy = cachedHealthCheck({
  table: createTableContext(config),
  s3: createS3Client(config),
  bucketName: config.bucketName,
});

export const handler = apiHandler(async () =>
  (await storesHealthy())
    ? jsonResponse(200, { status: 'ok' })
    : jsonResponse(503, { status: 'unavailable' }),
);
