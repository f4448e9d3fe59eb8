/**
 * Release step: records the table's global secondary indexes as released, in every index
 * layout (`infra/released-indexes.json`), so the next release's test can tell how many index
 * changes a deployment of either layout would ask CloudFormation for (at most one; see
 * infra/index-changes.ts).
 *
 *   npm run release:indexes -- 0.2.0
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { indexShapesOfTemplate } from '../infra/index-changes.ts';
import { MediaService } from '../infra/media-service.ts';
import { PROJECT_ROOT } from '../infra/paths.ts';
import { INDEX_PROJECTIONS, type IndexProjection } from '../lib/db/table-definition.ts';

const release = process.argv[2];
if (!release) {
  console.error('usage: npm run release:indexes -- <release version>');
  process.exit(2);
}
// cdk.json's feature flags, as `cdk synth` uses them; no bundling (only the table matters).
const { context } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'));

function indexesOf(indexProjection: IndexProjection) {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Release');
  new MediaService(stack, 'MediaService', { stageName: 'dev', indexProjection });
  const [table] = Object.values(
    Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable'),
  ) as Array<{ Properties: Parameters<typeof indexShapesOfTemplate>[0] }>;
  if (!table) throw new Error('no table in the synthesized stack');
  return indexShapesOfTemplate(table.Properties);
}

const file = path.join(PROJECT_ROOT, 'infra', 'released-indexes.json');
const snapshot = {
  release,
  layouts: Object.fromEntries(INDEX_PROJECTIONS.map((layout) => [layout, indexesOf(layout)])),
};
writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
console.log(
  `${file}: the indexes of release ${release} in layouts ${INDEX_PROJECTIONS.join(', ')}`,
);
