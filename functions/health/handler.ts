/** `GET /health`: no key; 200 only when the table and the bucket both answer. */

import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { checkStores } from '../../lib/health.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { jsonResponse } from '../../lib/http/types.ts';
import { createS3Client } from '../../lib/storage/s3-client.ts';

const table = createTableContext(config);
const s3 = createS3Client(config);

export const handler = apiHandler(async () => {
  const healthy = await checkStores({ table, s3, bucketName: config.bucketName });
  return healthy
    ? jsonResponse(200, { status: 'ok' })
    : jsonResponse(503, { status: 'unavailable' });
});
