/**
 * The description `GET /openapi.json` serves, as JSON text. Deployed, it is built when the
 * function is bundled (`infra/bundling.ts` defines `BUNDLED_OPENAPI_DOCUMENT`, the document's
 * gzip in base64): a cold start then neither converts the schemas to JSON Schema (≈ 13 ms of
 * its first request) nor carries the code that does, since esbuild drops the branch that would
 * build it. The deployment's upload limit, a runtime setting, replaces a marker. From source
 * (`npm start`, tests) there is no bundled document and it is built here, the same way.
 */
import { gunzipSync } from 'node:zlib';

/** Set by esbuild's `define` in the api-reference bundle only. */
declare const BUNDLED_OPENAPI_DOCUMENT: string | undefined;

/** The upload limit of the bundled document; no schema uses this number otherwise. */
export const UPLOAD_LIMIT_MARKER = 987_654_321_012;

/** The bundled document's JSON text with the deployment's upload limit in place. */
export function documentFromBundled(bundled: string, maxUploadBytes: number): string {
  return gunzipSync(Buffer.from(bundled, 'base64'))
    .toString('utf8')
    .replaceAll(String(UPLOAD_LIMIT_MARKER), String(maxUploadBytes));
}

export async function openApiDocumentText(maxUploadBytes: number): Promise<string> {
  // An if/else esbuild folds once the define is in: the `else` and its import are not bundled.
  if (typeof BUNDLED_OPENAPI_DOCUMENT === 'string') {
    return documentFromBundled(BUNDLED_OPENAPI_DOCUMENT, maxUploadBytes);
  } else {
    const { buildOpenApiDocument } = await import('./document.ts');
    return JSON.stringify(buildOpenApiDocument({ maxUploadBytes }));
  }
}
