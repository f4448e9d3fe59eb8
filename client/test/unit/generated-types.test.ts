/**
 * The client's committed types must be what openapi-typescript makes of the OpenAPI
 * description the project generates (and serves: see the integration test of the same name).
 * When this fails: `npm run client:types`, then fix whatever no longer compiles.
 */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../lib/openapi/document.ts';
import { GENERATED_TYPES_PATH, generateTypes } from '../../tools/generate-types.ts';

it('client/src/generated/openapi.ts matches the generated description', async () => {
  const committed = await readFile(GENERATED_TYPES_PATH, 'utf8');
  const fresh = await generateTypes(buildOpenApiDocument());
  expect(committed, 'stale client types: run `npm run client:types`').toBe(fresh);
});
