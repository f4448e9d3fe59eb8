/**
 * Holds only the service can lift. IAM alone lets any principal of the account with
 * `s3:PutObjectLegalHold` lift a hold, or turn versioning/lifecycle/Object Lock settings into a
 * way to lose held data. The media bucket's policy therefore denies those actions to every
 * principal except the roles that need them:
 *
 * | actions                                             | allowed to                          |
 * | --------------------------------------------------- | ----------------------------------- |
 * | `s3:PutObjectLegalHold`                             | functions with `legalHold` or `placeHolds` access, break-glass |
 * | `s3:PutObjectLegalHold` with status OFF (lifting)   | functions with `legalHold` access, break-glass |
 * | `s3:DeleteObjectVersion`                            | functions with `deleteVersions` access, break-glass |
 * | `s3:BypassGovernanceRetention`, `s3:PutObjectRetention` | break-glass                     |
 * | lifecycle, Object Lock, versioning, bucket policy   | the CloudFormation deploy role, break-glass |
 *
 * An explicit Deny in a bucket policy wins over any Allow in any identity policy, including an
 * administrator's; the exception is by `aws:PrincipalArn` (the role, whichever session). The
 * break-glass role is for emergencies and for operators' tooling (`npm run admin -- media
 * legal-hold` against AWS): using it is visible in CloudTrail.
 */
import { Fn, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { FunctionAccess } from './function-access.ts';

/** Bucket settings whose change could expose held or deleted data. */
export const PROTECTED_BUCKET_ACTIONS = [
  's3:PutLifecycleConfiguration',
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketVersioning',
  // Without these the protection could be removed by whoever may edit the policy.
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
] as const;

/** Object actions nobody but break-glass needs (the service places no retention periods). */
export const RETENTION_ACTIONS = ['s3:BypassGovernanceRetention', 's3:PutObjectRetention'] as const;

export interface BucketProtectionProps {
  bucket: IBucket;
  /** Execution role ARN of every function, with its access entry. */
  functionRoles: ReadonlyArray<{ roleArn: string; access: FunctionAccess }>;
  /** The role CloudFormation deploys with (lifecycle, versioning and the policy itself). */
  deployRoleArns: readonly string[];
  /** Use this existing role as break-glass instead of creating one. */
  breakGlassRoleArn?: string;
}

export class BucketProtection extends Construct {
  /** The role allowed everything the policy denies to others; assumed with MFA only. */
  readonly breakGlassRoleArn: string;
  readonly breakGlassRole: iam.Role | undefined;

  constructor(scope: Construct, id: string, props: BucketProtectionProps) {
    super(scope, id);
    const { bucket, functionRoles } = props;
    if (props.breakGlassRoleArn) {
      this.breakGlassRoleArn = props.breakGlassRoleArn;
    } else {
      this.breakGlassRole = this.createBreakGlassRole(bucket);
      this.breakGlassRoleArn = this.breakGlassRole.roleArn;
    }
    const rolesWith = (has: (access: FunctionAccess) => boolean) =>
      functionRoles.filter((f) => has(f.access)).map((f) => f.roleArn);
    const breakGlass = [this.breakGlassRoleArn];
    const objects = bucket.arnForObjects('*');

    const deny = (
      sid: string,
      actions: readonly string[],
      resources: string[],
      allowed: string[],
      extra = {},
    ) =>
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...actions],
          resources,
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...new Set(allowed)] }, ...extra },
        }),
      );

    deny(
      'DenyLegalHoldChangesButService',
      ['s3:PutObjectLegalHold'],
      [objects],
      [
        ...rolesWith((a) => Boolean(a.bucket?.legalHold || a.bucket?.placeHolds?.length)),
        ...breakGlass,
      ],
    );
    deny(
      'DenyLiftingLegalHoldsButService',
      ['s3:PutObjectLegalHold'],
      [objects],
      [...rolesWith((a) => Boolean(a.bucket?.legalHold)), ...breakGlass],
      { StringEquals: { 's3:object-lock-legal-hold': 'OFF' } },
    );
    deny(
      'DenyVersionDeletesButService',
      ['s3:DeleteObjectVersion'],
      [objects],
      [...rolesWith((a) => Boolean(a.bucket?.deleteVersions?.length)), ...breakGlass],
    );
    deny('DenyRetentionChanges', RETENTION_ACTIONS, [objects], breakGlass);
    deny(
      'DenyBucketSettingChanges',
      PROTECTED_BUCKET_ACTIONS,
      [bucket.bucketArn],
      [...props.deployRoleArns, ...breakGlass],
    );
  }

  private createBreakGlassRole(bucket: IBucket): iam.Role {
    const role = new iam.Role(this, 'BreakGlassRole', {
      description:
        'Break-glass for the media bucket: lift legal holds, delete versions, change lifecycle/' +
        'versioning/Object Lock/policy. Emergencies only; every use is in CloudTrail.',
      assumedBy: new iam.AccountPrincipal(Stack.of(this).account).withConditions({
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      }),
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ObjectOverrides',
        actions: [
          's3:PutObjectLegalHold',
          's3:GetObjectLegalHold',
          's3:DeleteObjectVersion',
          's3:GetObjectVersion',
          ...RETENTION_ACTIONS,
        ],
        resources: [bucket.arnForObjects('*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BucketOverrides',
        actions: [...PROTECTED_BUCKET_ACTIONS, 's3:ListBucket', 's3:ListBucketVersions'],
        resources: [bucket.bucketArn],
      }),
    );
    const bucketRef = `<${Stack.of(this).getLogicalId(bucket.node.defaultChild as never)}.Arn>`;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketRef}/*]`,
      reason:
        'Break-glass must be able to lift a hold or delete a version of any object in the ' +
        'media bucket (uploads and thumbnails alike); it is assumable only with MFA.',
    });
    return role;
  }
}

/** The CloudFormation execution role of the stack's (default) synthesizer, as a template value. */
export function defaultDeployRoleArns(scope: Construct): string[] {
  const synthesizer = Stack.of(scope).synthesizer as { cloudFormationExecutionRoleArn?: unknown };
  const arn = synthesizer.cloudFormationExecutionRoleArn;
  return typeof arn === 'string' ? [Fn.sub(arn)] : [];
}
