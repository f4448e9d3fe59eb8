/**
 * The client's committed types must also match the description the running API serves at
 * `GET /openapi.json`: what integrators generate their own clients from.
 */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { apiUrl } from '../../../test/support/stack.ts';
import { GENERATED_TYPES_PATH, generateTypes } from '../../tools/generate-types.ts';

it('client/src/generated/openapi.ts matches the served /openapi.json', async () => {
  const response = await fetch(`${apiUrl()}/openapi.json`);
  expect(response.status).toBe(200);
  const committed = await readFile(GENERATED_TYPES_PATH, 'utf8');
  const fresh = await generateTypes((await response.json()) as object);
  expect(committed, 'stale client types: run `npm run client:types`').toBe(fresh);
});
