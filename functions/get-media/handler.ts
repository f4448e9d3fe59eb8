/**
 * `GET`/`HEAD /api/v1/media/{id}`: one visible attachment with its author, post and legal hold,
 * with a strong ETag of the representation (`If-None-Match` → 304).
 */
import { getMedia, visibleAttachmentPrefetch } from '../../lib/attachments/read/read.ts';
import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { etagOfText, isNotModified } from '../../lib/http/conditional.ts';
import { jsonResponse } from '../../lib/http/types.ts';

const table = createTableContext(config);

/** Stored by clients, revalidated on every use: the hold or the thumbnail may change. */
const REVALIDATE = 'private, no-cache';

export const handler = apiHandler(
  async (event, context) => {
    const attachment = await getMedia(
      context.table,
      context.caller,
      event.pathParameters?.id ?? '',
    );
    const body = JSON.stringify(attachment);
    const etag = etagOfText(body);
    if (isNotModified(event.headers ?? {}, etag)) {
      return { statusCode: 304, headers: { etag, 'cache-control': REVALIDATE }, body: '' };
    }
    return { ...jsonResponse(200, attachment, { etag, 'cache-control': REVALIDATE }), body };
  },
  {
    auth: {
      table,
      scope: 'media:read',
      // The attachment, its post, project and uploader: two round trips in all.
      prefetch: (event) =>
        visibleAttachmentPrefetch(event.pathParameters?.id ?? '', { withUploader: true }),
    },
  },
);
