/**
 * `POST /api/v1/media/uploads/{uploadId}/complete`: read the staged bytes, verify them against
 * the session, write them to their final key with a PUT (as the JSON upload does) and commit
 * the attachment, then remove the staged object; answers like `POST /api/v1/media` (201), or
 * 200 with the same attachment when the session was completed before. The commit's
 * `media.uploaded` comes from the table's change stream (`lib/events/from-stream-record.ts`).
 */
import { completeUploadSession } from '../../lib/attachments/upload/upload-sessions.ts';
import { config, DEFAULT_UPLOAD_URL_SECONDS } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { idempotent } from '../../lib/http/idempotency.ts';
import { attachmentLocation, jsonResponse } from '../../lib/http/types.ts';
import { recordUpload } from '../../lib/observability/metrics.ts';
import { mediaStoreFrom } from '../../lib/storage/configured-store.ts';
import { stagingAreaFrom } from '../../lib/storage/staging.ts';

const table = createTableContext(config);
const deps = {
  table,
  store: mediaStoreFrom(config),
  staging: stagingAreaFrom(config),
  maxUploadBytes: config.maxUploadBytes,
  keepLocation: config.keepLocation ?? false,
  uploadUrlSeconds: config.uploadUrlSeconds ?? DEFAULT_UPLOAD_URL_SECONDS,
};

export const handler = apiHandler(
  idempotent(table, async (event, context) => {
    const completed = await completeUploadSession(
      deps,
      context.caller,
      event.pathParameters?.uploadId ?? '',
    );
    // 201: this request stored the file (a repeated complete answers 200 and stores nothing).
    if (completed.statusCode === 201) {
      const { fileSize, fileType } = completed.body;
      recordUpload(context.metrics, { bytes: fileSize, fileType });
    }
    // 201 and the repeated 200 both point at the attachment.
    return jsonResponse(completed.statusCode, completed.body, {
      location: attachmentLocation(completed.body.id),
    });
  }),
  // No body: the session holds everything the client declared.
  { auth: { table, scope: 'media:write' } },
);
