/**
 * The OpenAPI description built at bundling (`infra/bundling.ts`, `lib/openapi/served-document.ts`):
 * what the deployed api-reference serves is exactly what the code builds, with the deployment's
 * upload limit.
 */
import { describe, expect, it } from 'vitest';
import { bundlingOptions } from '../../infra/bundling.ts';
import { buildOpenApiDocument } from '../../lib/openapi/document.ts';
import {
  documentFromBundled,
  openApiDocumentText,
  UPLOAD_LIMIT_MARKER,
} from '../../lib/openapi/served-document.ts';

function bundled(): string {
  const define = bundlingOptions('api-reference').define ?? {};
  return JSON.parse(define.BUNDLED_OPENAPI_DOCUMENT as string) as string;
}

describe('the OpenAPI description bundled with api-reference', () => {
  it('is the built document, with the upload limit in place of the marker', () => {
    for (const maxUploadBytes of [52_428_800, 1_000_000]) {
      expect(documentFromBundled(bundled(), maxUploadBytes)).toBe(
        JSON.stringify(buildOpenApiDocument({ maxUploadBytes })),
      );
    }
  });

  it('has a marker no schema uses otherwise', () => {
    const built = JSON.stringify(buildOpenApiDocument({ maxUploadBytes: 52_428_800 }));
    expect(built).not.toContain(String(UPLOAD_LIMIT_MARKER));
    expect(documentFromBundled(bundled(), 52_428_800)).not.toContain(String(UPLOAD_LIMIT_MARKER));
  });

  it('is defined for api-reference only', () => {
    expect(bundlingOptions('get-media').define).toBeUndefined();
    expect(bundlingOptions().define).toBeUndefined();
  });

  it('is built from source where nothing is bundled (npm start, tests)', async () => {
    expect(await openApiDocumentText(2_000)).toBe(
      JSON.stringify(buildOpenApiDocument({ maxUploadBytes: 2_000 })),
    );
  });
});
