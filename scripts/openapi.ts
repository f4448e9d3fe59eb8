/** Prints the OpenAPI description (the one `GET /openapi.json` serves) for this configuration. */
import { config } from '../lib/config.ts';
import { buildOpenApiDocument } from '../lib/openapi/document.ts';

process.stdout.write(
  `${JSON.stringify(buildOpenApiDocument({ maxUploadBytes: config.maxUploadBytes }), null, 2)}\n`,
);
