/**
 * The client's types, generated from the API's OpenAPI description with openapi-typescript.
 * One function for the generator script (`npm run client:types`) and the drift tests, so the
 * committed file and the checked output come from identical options.
 */
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';

export const GENERATED_TYPES_PATH = new URL('../src/generated/openapi.ts', import.meta.url);

export async function generateTypes(description: object): Promise<string> {
  // A deep copy: openapi-typescript annotates the object it is given.
  const ast = await openapiTS(structuredClone(description) as OpenAPI3, {
    // Required-but-nullable and optional stay distinct, as the API describes them.
    exportType: true,
    alphabetize: false,
  });
  return `${COMMENT_HEADER}${astToString(ast)}`;
}
