/** `PUT /api/v1/media/{id}/legal-hold`: owners/admins place or lift a legal hold. */
import {
  assertMayManageRetention,
  setMediaLegalHold,
} from '../../lib/attachments/lifecycle/legal-hold.ts';
import { lifecycleDepsFrom } from '../../lib/attachments/stored-files.ts';
import { config } from '../../lib/config.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { jsonBody } from '../../lib/http/json-body.ts';
import { jsonResponse } from '../../lib/http/types.ts';

const deps = lifecycleDepsFrom(config);

export const handler = apiHandler(
  async (event, context) =>
    jsonResponse(
      200,
      await setMediaLegalHold(
        deps,
        context.caller,
        event.pathParameters?.id ?? '',
        context.jsonBody,
      ),
    ),
  {
    // The role is checked before the body is parsed and before any lookup.
    auth: { table: deps.table, scope: 'media:write', authorize: assertMayManageRetention },
    body: jsonBody(),
  },
);
