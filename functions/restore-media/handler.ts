/** `POST /api/v1/media/{id}/restore`: owners/admins undo a delete within the grace period. */
import { assertMayManageRetention } from '../../lib/attachments/lifecycle/legal-hold.ts';
import { restoreMedia } from '../../lib/attachments/lifecycle/restore.ts';
import { lifecycleDepsFrom } from '../../lib/attachments/stored-files.ts';
import { config } from '../../lib/config.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { idempotent } from '../../lib/http/idempotency.ts';
import { jsonResponse } from '../../lib/http/types.ts';

const deps = lifecycleDepsFrom(config);

export const handler = apiHandler(
  idempotent(deps.table, async (event, context) =>
    jsonResponse(200, await restoreMedia(deps, context.caller, event.pathParameters?.id ?? '')),
  ),
  { auth: { table: deps.table, scope: 'media:write', authorize: assertMayManageRetention } },
);
