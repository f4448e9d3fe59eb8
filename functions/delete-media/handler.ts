/** `DELETE /api/v1/media/{id}`: soft delete; the file is purged after the grace period. */
import { deleteMedia } from '../../lib/attachments/delete.ts';
import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { jsonResponse } from '../../lib/http/types.ts';

const table = createTableContext(config);
const deps = { table, gracePeriodSeconds: config.gracePeriodSeconds };

export const handler = apiHandler(
  async (event, context) =>
    jsonResponse(200, await deleteMedia(deps, context.caller, event.pathParameters?.id ?? '')),
  { auth: { table, scope: 'media:write' } },
);
