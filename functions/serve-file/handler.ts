/**
 * `GET /api/media/{uploads|thumbnails}/{year}/{month}/{day}/{file}`: a stored file or
 * thumbnail, inline, via a signed redirect, or (for `X-API-Key` callers) its signed URL in JSON.
 */
import { attachmentIdOfKey } from '../../lib/attachments/model.ts';
import { visibleAttachmentPrefetch } from '../../lib/attachments/read/read.ts';
import { serveFile } from '../../lib/attachments/read/serve.ts';
import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { type ApiEvent, jsonResponse } from '../../lib/http/types.ts';
import { mediaStoreFrom } from '../../lib/storage/configured-store.ts';

const table = createTableContext(config);

/** `uploads/2026/11/29/<id>.png` from the route's segments (the kind is the path's third). */
function storageKeyOfRequest(event: ApiEvent): string {
  const kind = event.rawPath.split('/')[3] === 'thumbnails' ? 'thumbnails' : 'uploads';
  const { year, month, day, file } = event.pathParameters ?? {};
  return [kind, year, month, day, file].join('/');
}
const deps = { table, store: mediaStoreFrom(config) };

export const handler = apiHandler(
  async (event, context) => {
    const file = await serveFile({ ...deps, table: context.table }, context.caller, {
      key: storageKeyOfRequest(event),
      headers: event.headers ?? {},
    });
    if (file.kind === 'redirect') {
      return { statusCode: 302, headers: { ...file.headers, location: file.location }, body: '' };
    }
    if (file.kind === 'link') return jsonResponse(300, file.link, file.headers);
    if (file.kind === 'not_modified') return { statusCode: 304, headers: file.headers, body: '' };
    return {
      statusCode: file.statusCode,
      headers: file.headers,
      body: Buffer.from(file.body).toString('base64'),
      isBase64Encoded: true,
    };
  },
  {
    auth: {
      table,
      scope: 'media:read',
      prefetch: (event) =>
        visibleAttachmentPrefetch(attachmentIdOfKey(storageKeyOfRequest(event)) ?? ''),
    },
  },
);
