/** `DELETE /api/v1/media/{id}`: soft delete; the file is purged after the grace period. */
import { deleteMedia } from '../../lib/attachments/lifecycle/delete.ts';
import { visibleAttachmentPrefetch } from '../../lib/attachments/read/read.ts';
import { lifecycleDepsFrom } from '../../lib/attachments/stored-files.ts';
import { config } from '../../lib/config.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { jsonResponse } from '../../lib/http/types.ts';

const deps = { ...lifecycleDepsFrom(config), gracePeriodSeconds: config.gracePeriodSeconds };

export const handler = apiHandler(
  async (event, context) =>
    jsonResponse(
      200,
      await deleteMedia(
        { ...deps, table: context.table },
        context.caller,
        event.pathParameters?.id ?? '',
      ),
    ),
  {
    auth: {
      table: deps.table,
      scope: 'media:write',
      prefetch: (event) => visibleAttachmentPrefetch(event.pathParameters?.id ?? ''),
    },
  },
);
