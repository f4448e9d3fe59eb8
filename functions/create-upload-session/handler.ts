/** `POST /api/v1/media/uploads`: start an upload session (a presigned PUT to storage). */
import { createUploadSession } from '../../lib/attachments/upload/upload-sessions.ts';
import { config, DEFAULT_UPLOAD_URL_SECONDS } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { idempotent } from '../../lib/http/idempotency.ts';
import { jsonBody } from '../../lib/http/json-body.ts';
import { createdResponse } from '../../lib/http/types.ts';
import { mediaStoreFrom } from '../../lib/storage/configured-store.ts';
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
  idempotent(table, async (_event, context) => {
    const session = await createUploadSession(deps, context.caller, context.jsonBody);
    // No attachment exists yet: the session is continued (and becomes one) at its completion.
    const location = `/api/v1/media/uploads/${encodeURIComponent(session.uploadId)}/complete`;
    return createdResponse(session, location);
  }),
  { auth: { table, scope: 'media:write' }, body: jsonBody() },
);
