/** `GET /api/v1/media`: list the caller's visible media, newest first. */
import { listMedia } from '../../lib/attachments/read/list.ts';
import { workspaceListPrefetch } from '../../lib/attachments/read/list-scope.ts';
import { listQuerySchema } from '../../lib/attachments/schemas.ts';
import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { jsonResponse } from '../../lib/http/types.ts';
import { parseRequest } from '../../lib/validation.ts';

const table = createTableContext(config);

export const handler = apiHandler(
  async (event, context) => {
    const query = parseRequest(listQuerySchema, event.queryStringParameters ?? {});
    return jsonResponse(200, await listMedia(context.table, context.caller, query));
  },
  {
    auth: {
      table,
      scope: 'media:read',
      // Workspace-wide (no postId): the project ids come with the membership.
      prefetch: (event) => (event.queryStringParameters?.postId ? {} : workspaceListPrefetch),
    },
  },
);
