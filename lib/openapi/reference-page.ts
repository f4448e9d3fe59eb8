/**
 * `GET /docs`: an interactive reference of the description, rendered in the browser by Swagger
 * UI (`swagger-ui-dist`, a maintained, self-contained build). Its script and stylesheet are
 * served by the API itself from the package's files, so the page works offline and loads
 * nothing from another origin. In a Lambda bundle the files sit next to the bundle (copied at
 * bundling, `infra/bundling.ts`); elsewhere they are read from `node_modules`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Asset name under `/docs/` → the package file it is. */
export const REFERENCE_PACKAGE_FILES = {
  'swagger-ui-bundle.js': 'swagger-ui-dist/swagger-ui-bundle.js',
  'swagger-ui.css': 'swagger-ui-dist/swagger-ui.css',
} as const;

/** Starts Swagger UI on the description served next to the page (`/openapi.json`). */
const REFERENCE_SCRIPT = `window.addEventListener('load', function () {
  window.reference = SwaggerUIBundle({
    url: new URL('openapi.json', window.location.href).href,
    dom_id: '#reference',
    deepLinking: true,
    docExpansion: 'list',
    // No call to the public validator service: nothing leaves for another origin.
    validatorUrl: null,
  });
});
`;

export const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Media API reference</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/reference.js"></script>
</body>
</html>
`;

/** Only this origin's scripts and data; Swagger UI sets inline styles and data: images. */
export const REFERENCE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

export type ReferenceAsset = keyof typeof REFERENCE_PACKAGE_FILES | 'reference.js';

const require = createRequire(import.meta.url);

function readPackageFile(asset: keyof typeof REFERENCE_PACKAGE_FILES): string {
  const bundled = fileURLToPath(new URL(`./${asset}`, import.meta.url));
  const path = existsSync(bundled) ? bundled : require.resolve(REFERENCE_PACKAGE_FILES[asset]);
  return readFileSync(path, 'utf8');
}

const cache = new Map<ReferenceAsset, string>();

/** The asset's text and type, or null for a name that is not one. */
export function referenceAsset(name: string): { body: string; contentType: string } | null {
  if (name !== 'reference.js' && !Object.hasOwn(REFERENCE_PACKAGE_FILES, name)) return null;
  const asset = name as ReferenceAsset;
  let body = cache.get(asset);
  if (body === undefined) {
    body = asset === 'reference.js' ? REFERENCE_SCRIPT : readPackageFile(asset);
    cache.set(asset, body);
  }
  const contentType = asset.endsWith('.css')
    ? 'text/css; charset=utf-8'
    : 'text/javascript; charset=utf-8';
  return { body, contentType };
}
