/** `GET /api/v1/media/limits`: upload sizes, allowed types, page sizes and the rate limit. */
import { mediaLimits } from '../../lib/attachments/upload/limits.ts';
import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { jsonResponse } from '../../lib/http/types.ts';

const table = createTableContext(config);
const limits = mediaLimits(config);

export const handler = apiHandler(async () => jsonResponse(200, limits), {
  auth: { table, scope: 'media:read' },
});
