/**
 * Holds only the service can lift: the media bucket's policy denies hold, retention, version
 * and bucket-setting changes to every principal but the roles that need them (derived from
 * infra/function-access.ts), the deploy role (settings) and the break-glass role.
 */
import { CliCredentialsStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionAccess } from '../../infra/function-access.ts';
import { MediaService } from '../../infra/media-service.ts';
import { newApp, removeAssemblies, synthStack } from './synth.ts';

afterAll(removeAssemblies);

let synth: ReturnType<typeof synthStack>;
let template: Template;

beforeAll(() => {
  synth = synthStack({ service: { stageName: 'dev' } });
  template = synth.template;
});

const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const roleArnOf = (name: string) => {
  const role = synth.stack.service.functions.get(name)?.role;
  if (!role) throw new Error(`no function ${name}`);
  return getAtt(synth.stack.getLogicalId(role.node.defaultChild as never));
};
const breakGlassArn = () =>
  getAtt(
    synth.stack.getLogicalId(
      synth.stack.service.bucketProtection.breakGlassRole?.node.defaultChild as never,
    ),
  );
const bucketArn = () =>
  getAtt(synth.stack.getLogicalId(synth.stack.service.bucket.node.defaultChild as never));
const objectsArn = () => ({ 'Fn::Join': ['', [bucketArn(), '/*']] });
/** The CDK bootstrap's CloudFormation execution role (CloudFormation substitutes `${…}`). */
const DEPLOY_ROLE = {
  'Fn::Sub': [
    'arn:$',
    '{AWS::Partition}:iam::$',
    '{AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-$',
    '{AWS::AccountId}-$',
    '{AWS::Region}',
  ].join(''),
};

/** The media bucket policy's statement `sid`. */
function statement(sid: string) {
  const policies = template.findResources('AWS::S3::BucketPolicy', {
    Properties: {
      Bucket: {
        Ref: synth.stack.getLogicalId(synth.stack.service.bucket.node.defaultChild as never),
      },
    },
  });
  const [policy] = Object.values(policies);
  if (!policy) throw new Error('no media bucket policy');
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON.
  return (policy.Properties.PolicyDocument.Statement as any[]).find((s) => s.Sid === sid);
}

const namesWith = (has: (a: (typeof functionAccess)[string]) => unknown) =>
  Object.entries(functionAccess)
    .filter(([name, access]) => synth.stack.service.functions.has(name) && has(access))
    .map(([name]) => name);

describe('media bucket policy', () => {
  it('denies placing or lifting legal holds to all but the hold-placing functions and break-glass', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'DenyLegalHoldChangesButService',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:PutObjectLegalHold',
            Resource: objectsArn(),
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': [
                  roleArnOf('set-legal-hold'),
                  roleArnOf('process-media'),
                  breakGlassArn(),
                ],
              },
            },
          },
        ]),
      },
    });
    expect(namesWith((a) => a.bucket?.legalHold || a.bucket?.placeHolds?.length).sort()).toEqual([
      'process-media',
      'set-legal-hold',
    ]);
  });

  it('denies lifting a hold (status OFF) even to process-media, which only places them', () => {
    expect(statement('DenyLiftingLegalHoldsButService')).toEqual({
      Sid: 'DenyLiftingLegalHoldsButService',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObjectLegalHold',
      Resource: objectsArn(),
      Condition: {
        ArnNotEquals: { 'aws:PrincipalArn': [roleArnOf('set-legal-hold'), breakGlassArn()] },
        StringEquals: { 's3:object-lock-legal-hold': 'OFF' },
      },
    });
  });

  it('denies version deletes to all but restore and break-glass', () => {
    expect(namesWith((a) => a.bucket?.deleteVersions?.length).sort()).toEqual(['restore-media']);
    expect(statement('DenyVersionDeletesButService')).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:DeleteObjectVersion',
      Resource: objectsArn(),
      Condition: {
        ArnNotEquals: {
          'aws:PrincipalArn': [roleArnOf('restore-media'), breakGlassArn()],
        },
      },
    });
  });

  it('denies governance bypass and retention changes to all but break-glass', () => {
    expect(statement('DenyRetentionChanges')).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:BypassGovernanceRetention', 's3:PutObjectRetention'],
      Resource: objectsArn(),
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [breakGlassArn()] } },
    });
  });

  it('denies lifecycle, Object Lock, versioning and policy changes to all but deploy and break-glass', () => {
    expect(statement('DenyBucketSettingChanges')).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [
        's3:DeleteBucketPolicy',
        's3:PutBucketObjectLockConfiguration',
        's3:PutBucketPolicy',
        's3:PutBucketVersioning',
        's3:PutLifecycleConfiguration',
      ],
      Resource: bucketArn(),
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [DEPLOY_ROLE, breakGlassArn()] } },
    });
  });

  it('names no function that serves requests or uploads in any exception', () => {
    const exceptions = JSON.stringify(
      [
        'DenyLegalHoldChangesButService',
        'DenyVersionDeletesButService',
        'DenyRetentionChanges',
      ].map((sid) => statement(sid).Condition.ArnNotEquals),
    );
    for (const name of ['upload-media', 'serve-file', 'delete-media', 'get-media', 'list-media']) {
      expect(exceptions).not.toContain(JSON.stringify(roleArnOf(name)));
    }
  });
});

describe('break-glass role', () => {
  it('is assumable by the account only with MFA and may do exactly what the policy denies', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
            Principal: { AWS: Match.anyValue() },
          },
        ],
      },
      Description: Match.stringLikeRegexp('^Break-glass for the media bucket'),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: breakGlassArn()['Fn::GetAtt'][0] }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Sid: 'ObjectOverrides',
            Action: Match.arrayWith([
              's3:BypassGovernanceRetention',
              's3:DeleteObjectVersion',
              's3:PutObjectLegalHold',
            ]),
            Resource: objectsArn(),
          }),
          Match.objectLike({
            Sid: 'BucketOverrides',
            Action: Match.arrayWith(['s3:PutBucketVersioning', 's3:PutLifecycleConfiguration']),
            Resource: bucketArn(),
          }),
        ],
      },
    });
  });

  it('is a stack output', () => {
    synth.template.hasOutput('BreakGlassRoleArn', { Value: breakGlassArn() });
  });

  it('is replaced by an existing role when one is given', () => {
    const arn = 'arn:aws:iam::123456789012:role/security/break-glass';
    const custom = synthStack({
      service: { stageName: 'dev', bucketProtection: { breakGlassRoleArn: arn } },
    });
    expect(custom.stack.service.bucketProtection.breakGlassRole).toBeUndefined();
    const text = JSON.stringify(custom.json.Resources);
    expect(text).toContain(arn);
    expect(text).not.toContain('Break-glass for the media bucket');
  });
});

describe('deploy role', () => {
  it('refuses to synthesize without one when the synthesizer has no execution role', () => {
    const stack = new Stack(newApp(), 'CliCredentials', {
      synthesizer: new CliCredentialsStackSynthesizer(),
    });
    expect(() => new MediaService(stack, 'Media', { stageName: 'dev' })).toThrow(
      /MediaService: bucketProtection.deployRoleArns is required with a stack synthesizer/,
    );
  });

  it('uses the given deploy roles', () => {
    const stack = new Stack(newApp(), 'CliCredentials', {
      synthesizer: new CliCredentialsStackSynthesizer(),
    });
    const role = 'arn:aws:iam::123456789012:role/deployer';
    new MediaService(stack, 'Media', {
      stageName: 'dev',
      bucketProtection: { deployRoleArns: [role] },
    });
    const text = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(text).toContain(role);
  });
});
