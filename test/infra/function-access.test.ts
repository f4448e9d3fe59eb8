/**
 * The access map as IAM, for every entry including the functions that do not exist yet: the
 * statements are rendered against a real table and bucket and checked for the rules that must
 * hold whatever is deployed (read-only functions cannot write, only the hold path can hold).
 */
import { Stack } from 'aws-cdk-lib';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { functionAccess } from '../../infra/function-access.ts';
import { accessStatements } from '../../infra/service-function.ts';
import { asList, flatten, type Statement } from './iam.ts';
import { newApp, removeAssemblies } from './synth.ts';

afterAll(removeAssemblies);

const stack = new Stack(newApp(), 'AccessMap');
const table = new TableV2(stack, 'Table', {
  partitionKey: { name: 'PK', type: AttributeType.STRING },
});
const bucket = new Bucket(stack, 'Bucket');
const bus = new EventBus(stack, 'Bus');
const bucketArn = `<${stack.getLogicalId(bucket.node.defaultChild as never)}.Arn>`;

function statements(name: string): Statement[] {
  const access = functionAccess[name];
  if (!access) throw new Error(name);
  return accessStatements(access, table, bucket, bus).map(
    (s) => stack.resolve(s.toStatementJson()) as Statement,
  );
}
const actions = (name: string) => statements(name).flatMap((s) => asList(s.Action));

const names = Object.keys(functionAccess);
const WRITES = /^(dynamodb:(Put|Update|Delete|BatchWrite|ConditionCheck)|s3:(Put|Delete))/;

describe('function access map', () => {
  it('covers the planned functions', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'health',
        'list-media',
        'get-media',
        'upload-media',
        'delete-media',
        'serve-file',
        'set-legal-hold',
        'restore-media',
        'create-upload-session',
        'complete-upload-session',
        'process-media',
        'purge-sweep',
        'orphan-sweep',
      ]),
    );
  });

  it.each(['health', 'list-media', 'get-media', 'serve-file'])('%s cannot write', (name) => {
    // Except its API key's rate-limit counter (below).
    const writes = statements(name).filter((s) => s.Sid !== 'UpdateItems');
    expect(writes.flatMap((s) => asList(s.Action)).filter((a) => WRITES.test(a))).toEqual([]);
  });

  it.each(['list-media', 'get-media', 'serve-file'])(
    '%s counts requests, by UpdateItem on rate-limit counters only',
    (name) => {
      expect(statements(name).filter((s) => s.Sid === 'UpdateItems')).toEqual([
        {
          Sid: 'UpdateItems',
          Effect: 'Allow',
          Action: 'dynamodb:UpdateItem',
          Resource: expect.anything(),
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RATE#*'] } },
        },
      ]);
    },
  );

  it('only set-legal-hold can lift legal holds', () => {
    const unconditional = names.filter((n) =>
      statements(n).some(
        (s) => asList(s.Action).includes('s3:PutObjectLegalHold') && s.Condition === undefined,
      ),
    );
    expect(unconditional).toEqual(['set-legal-hold']);
  });

  it('process-media can only place holds (status ON), on thumbnails only', () => {
    const placing = names.filter((n) => actions(n).includes('s3:PutObjectLegalHold'));
    expect(placing.sort()).toEqual(['process-media', 'set-legal-hold']);
    const holds = statements('process-media').filter((s) =>
      asList(s.Action).includes('s3:PutObjectLegalHold'),
    );
    expect(holds).toEqual([
      {
        Sid: 'PlaceLegalHolds',
        Effect: 'Allow',
        Action: 's3:PutObjectLegalHold',
        Resource: expect.anything(),
        Condition: { StringEquals: { 's3:object-lock-legal-hold': 'ON' } },
      },
    ]);
    expect(asList(holds[0]?.Resource).map(flatten)).toEqual([`${bucketArn}/thumbnails/*`]);
  });

  it('process-media writes no table item but attachment records (UpdateItem) and blob intents', () => {
    const writes = statements('process-media').filter((s) =>
      asList(s.Action).some((a) => WRITES.test(a) && a.startsWith('dynamodb:')),
    );
    expect(writes).toEqual([
      {
        Sid: 'PutItems',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: expect.anything(),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INTENT#*'] } },
      },
      {
        Sid: 'UpdateItems',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: expect.anything(),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ATTACHMENT#*'] } },
      },
      {
        Sid: 'DeleteItems',
        Effect: 'Allow',
        Action: 'dynamodb:DeleteItem',
        Resource: expect.anything(),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INTENT#*'] } },
      },
    ]);
  });

  it('only the restore path can delete object versions (removing a delete marker)', () => {
    const deleters = names.filter((n) => actions(n).includes('s3:DeleteObjectVersion'));
    expect(deleters.sort()).toEqual(['restore-media']);
  });

  it('the delete function only adds delete markers on media, nothing else in S3', () => {
    expect(actions('delete-media').filter((a) => a.startsWith('s3:'))).toEqual(['s3:DeleteObject']);
  });

  it.each(names)('%s: object actions scoped to uploads/, thumbnails/ or staging/', (name) => {
    for (const s of statements(name)) {
      const acts = asList(s.Action);
      if (
        !acts.some((a) => a.startsWith('s3:')) ||
        acts.every((a) => a.startsWith('s3:ListBucket'))
      )
        continue;
      for (const r of asList(s.Resource).map(flatten)) {
        expect(r.startsWith(`${bucketArn}/`)).toBe(true);
        expect(r.slice(bucketArn.length)).toMatch(/^\/(uploads|thumbnails|staging)\/\*$/);
      }
    }
  });

  it.each(names)('%s: no resource is "*"', (name) => {
    for (const s of statements(name)) expect(asList(s.Resource)).not.toContain('*');
  });

  it('only the upload-session functions touch staging/', () => {
    const staging = names.filter((n) =>
      statements(n).some((s) =>
        asList(s.Resource)
          .map(flatten)
          .some((r) => r.includes('/staging/')),
      ),
    );
    expect(staging.sort()).toEqual(['complete-upload-session', 'create-upload-session']);
  });
});
