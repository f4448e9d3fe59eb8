/** `POST /api/v1/media`: upload a base64 file to a post the caller authors. */
import { uploadMedia, uploadPrefetch } from '../../lib/attachments/upload/upload.ts';
import { config } from '../../lib/config.ts';
import { createTableContext } from '../../lib/db/client.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { idempotent } from '../../lib/http/idempotency.ts';
import { type JsonBodyOptions, jsonBody, peekJsonBody } from '../../lib/http/json-body.ts';
import { attachmentLocation, createdResponse } from '../../lib/http/types.ts';
import { recordUpload } from '../../lib/observability/metrics.ts';
import { mediaStoreFrom } from '../../lib/storage/configured-store.ts';

const table = createTableContext(config);
// `fileData` is up to 67 MB of base64: sliced from the body rather than copied.
const body: JsonBodyOptions = { largeStringField: 'fileData' };
const deps = {
  table,
  store: mediaStoreFrom(config),
  maxUploadBytes: config.maxUploadBytes,
  keepLocation: config.keepLocation ?? false,
};

export const handler = apiHandler(
  idempotent(table, async (_event, context) => {
    const attachment = await uploadMedia(
      { ...deps, table: context.table },
      context.caller,
      context.jsonBody,
    );
    recordUpload(context.metrics, { bytes: attachment.fileSize, fileType: attachment.fileType });
    return createdResponse(attachment, attachmentLocation(attachment.id));
  }),
  {
    // The post named in the body with the key; its project and the uploader with the membership.
    auth: {
      table,
      scope: 'media:write',
      prefetch: (event) => uploadPrefetch(peekJsonBody(event, body)),
    },
    body: jsonBody(body),
  },
);
