/** `GET /api/v1/media/{id}`: one visible attachment with its author, post and legal hold. */
import { getMedia } from '../../lib/attachments/read.ts';
import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { jsonResponse } from '../../lib/http/types.ts';

const table = createTableContext(config);

export const handler = apiHandler(
  async (event, context) =>
    jsonResponse(200, await getMedia(table, context.caller, event.pathParameters?.id ?? '')),
  { auth: { table, scope: 'media:read' } },
);
