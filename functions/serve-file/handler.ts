/**
 * `GET /api/media/{proxy+}`: a stored file (`uploads/…`) or thumbnail (`thumbnails/…`), inline
 * or via a signed redirect; any other path is 404.
 */
import { serveFile } from '../../lib/attachments/serve.ts';
import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { mediaStoreFrom } from '../../lib/storage/configured-store.ts';

const table = createTableContext(config);
const deps = { table, store: mediaStoreFrom(config) };

export const handler = apiHandler(
  async (event, context) => {
    const file = await serveFile(deps, context.caller, event.pathParameters?.proxy ?? '');
    if (file.kind === 'redirect') {
      return { statusCode: 302, headers: { ...file.headers, location: file.location }, body: '' };
    }
    return {
      statusCode: 200,
      headers: file.headers,
      body: Buffer.from(file.body).toString('base64'),
      isBase64Encoded: true,
    };
  },
  { auth: { table, scope: 'media:read' } },
);
