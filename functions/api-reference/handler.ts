/**
 * `GET /openapi.json`, `GET /docs` and `GET /docs/{asset}`: the API's description and its
 * interactive reference. No key: they describe the API, they reveal nothing stored in it.
 */
import { config } from '../../lib/config.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { apiHandler } from '../../lib/http/api-handler.ts';
import { jsonResponse } from '../../lib/http/types.ts';
import { REFERENCE_CSP, REFERENCE_PAGE, referenceAsset } from '../../lib/openapi/reference-page.ts';
import { openApiDocumentText } from '../../lib/openapi/served-document.ts';

/** JSON text, once per process (built with the bundle when deployed: served-document.ts). */
let description: string | undefined;

export const handler = apiHandler(async (event) => {
  if (event.rawPath === '/openapi.json') {
    description ??= await openApiDocumentText(config.maxUploadBytes);
    return { ...jsonResponse(200, null, { 'cache-control': 'no-cache' }), body: description };
  }
  if (event.rawPath === '/docs') {
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy': REFERENCE_CSP,
        'x-content-type-options': 'nosniff',
      },
      body: REFERENCE_PAGE,
    };
  }
  const asset = referenceAsset(event.pathParameters?.asset ?? '');
  if (!asset) throw new NotFoundError('No such file of the API reference.');
  return {
    statusCode: 200,
    headers: {
      'content-type': asset.contentType,
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    },
    body: asset.body,
  };
});
