/** `GET /api/v1/media`: list the caller's visible media, newest first. */
import { listMedia } from '../../lib/attachments/read/list.ts';
import { workspaceListPrefetch } from '../../lib/attachments/read/list-scope.ts';
import { postAccessPrefetch } from '../../lib/attachments/read/visibility.ts';
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
      // One post's list: the post with the key, its project with the membership. Workspace-wide:
      // the project ids with the membership.
      prefetch: (event) => {
        const postId = event.queryStringParameters?.postId;
        return postId === undefined ? workspaceListPrefetch : postAccessPrefetch(postId);
      },
    },
  },
);
