/**
 * `POST /api/v1/media/uploads/{uploadId}/complete`: verify the uploaded bytes and store them as
 * an attachment; answers like `POST /api/v1/media` (201), or 200 with the same attachment when
 * the session was completed before.
 */
import { completeUploadSession } from '../../lib/attachments/upload-sessions.ts';
import { config, DEFAULT_UPLOAD_URL_SECONDS } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { jsonResponse } from '../../lib/http/types.ts';
import { mediaStoreFrom } from '../../lib/storage/media-store.ts';
import { stagingAreaFrom } from '../../lib/storage/staging.ts';

const table = createTableContext(config);
const deps = {
  table,
  store: mediaStoreFrom(config),
  staging: stagingAreaFrom(config),
  maxUploadBytes: config.maxUploadBytes,
  uploadUrlSeconds: config.uploadUrlSeconds ?? DEFAULT_UPLOAD_URL_SECONDS,
};

export const handler = apiHandler(
  async (event, context) => {
    const completed = await completeUploadSession(
      deps,
      context.caller,
      event.pathParameters?.uploadId ?? '',
    );
    return jsonResponse(completed.statusCode, completed.body);
  },
  // No body: the session holds everything the client declared.
  { auth: { table, scope: 'media:write' } },
);
