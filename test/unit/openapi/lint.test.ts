/**
 * The description passes the linters an integrator would run, at zero errors and zero
 * warnings: Redocly's `recommended` ruleset and Spectral's `spectral:oas`.
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Document, Spectral } from '@stoplight/spectral-core';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../lib/openapi/document.ts';

const source = JSON.stringify(buildOpenApiDocument({ maxUploadBytes: 52_428_800 }), null, 2);

describe('the OpenAPI description', () => {
  it('has no Redocly `recommended` problem (errors or warnings)', async () => {
    const problems = await lintFromString({
      source,
      absoluteRef: 'openapi.json',
      config: await createConfig({ extends: ['recommended'] }),
    });
    const found = problems.map(
      (p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`,
    );
    expect(found).toEqual([]);
  }, 60_000);

  it('has no Spectral `spectral:oas` finding of any severity', async () => {
    const spectral = new Spectral();
    spectral.setRuleset({ extends: [[oas as never, 'recommended']] });
    const results = await spectral.run(new Document(source, Json, 'openapi.json'));
    const found = results.map(
      (r) => `${r.severity} ${r.code}: ${r.message} at ${r.path.join('.')}`,
    );
    expect(found).toEqual([]);
  }, 60_000);
});
