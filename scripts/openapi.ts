/** Prints the OpenAPI description generated from the request/response schemas. */
import { buildOpenApiDocument } from '../lib/openapi.ts';

process.stdout.write(`${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
