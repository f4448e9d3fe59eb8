/**
 * Regenerates the client's types (`client/src/generated/openapi.ts`) from the OpenAPI
 * description this project generates and serves. The drift tests fail until this has been run
 * after a change to the description.
 */
import { writeFile } from 'node:fs/promises';
import { GENERATED_TYPES_PATH, generateTypes } from '../client/tools/generate-types.ts';
import { buildOpenApiDocument } from '../lib/openapi/document.ts';

await writeFile(GENERATED_TYPES_PATH, await generateTypes(buildOpenApiDocument()));
process.stdout.write(`wrote ${GENERATED_TYPES_PATH.pathname}\n`);
