/**
 * Optional CloudFront in front of the service (`cdn` prop; off by default):
 *
 * - every path → the HTTP API, uncached (answers depend on the caller's key), all methods, the
 *   viewer's headers and query strings except `Host`;
 * - with `signingPublicKeyPem`: `/uploads/*` and `/thumbnails/*` straight from the bucket
 *   through origin access control, only with a CloudFront signed URL or cookie of that key
 *   (files of private projects stay private), Range requests passed to S3; thumbnails are
 *   immutable (a new thumbnail gets a new key), so they are cached for a year, originals for a
 *   day;
 * - with `domainName` + `certificateArn` (ACM, us-east-1): that name as an alias, TLS 1.2+.
 *
 * The service itself still serves files through `GET /api/media/{key}`; issuing signed URLs for
 * the CDN paths is up to the application holding the private key.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  HttpVersion,
  KeyGroup,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  PublicKey,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { KEY_PREFIXES } from './function-access.ts';

export interface CdnProps {
  /** Custom domain, e.g. `media.example.com` (needs `certificateArn`). */
  domainName?: string;
  /** ACM certificate in us-east-1 covering `domainName`. */
  certificateArn?: string;
  /** PEM public key whose private key signs CloudFront URLs/cookies for file delivery. */
  signingPublicKeyPem?: string;
  /** AWS WAF web ACL (global scope) to attach. */
  webAclArn?: string;
}

/** How long CloudFront keeps each kind of file. */
export const FILE_CACHE_TTL = {
  thumbnails: Duration.days(365),
  uploads: Duration.days(1),
} as const;

export class MediaCdn extends Construct {
  readonly distribution: Distribution;
  readonly keyGroup: KeyGroup | undefined;

  constructor(
    scope: Construct,
    id: string,
    props: CdnProps & { api: HttpApi; bucket: IBucket; stageName: string },
  ) {
    super(scope, id);
    const { api, bucket } = props;
    const apiDomain = `${api.apiId}.execute-api.${api.stack.region}.${api.stack.urlSuffix}`;
    const certificate = props.certificateArn
      ? Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn)
      : undefined;

    const additionalBehaviors: Record<string, BehaviorOptions> = {};
    if (props.signingPublicKeyPem) {
      const publicKey = new PublicKey(this, 'SigningKey', {
        encodedKey: props.signingPublicKeyPem,
        comment: `media-service ${props.stageName}: signs file URLs`,
      });
      this.keyGroup = new KeyGroup(this, 'SigningKeyGroup', { items: [publicKey] });
      const origin = S3BucketOrigin.withOriginAccessControl(bucket);
      const fileBehavior = (prefix: string, ttl: Duration): BehaviorOptions => ({
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        trustedKeyGroups: [this.keyGroup as KeyGroup],
        compress: false,
        cachePolicy: new CachePolicy(this, `${prefix}CachePolicy`, {
          comment: `media-service ${props.stageName}: ${prefix} files`,
          defaultTtl: ttl,
          minTtl: ttl,
          maxTtl: ttl,
        }),
      });
      additionalBehaviors[`/${KEY_PREFIXES.thumbnails}*`] = fileBehavior(
        'Thumbnails',
        FILE_CACHE_TTL.thumbnails,
      );
      additionalBehaviors[`/${KEY_PREFIXES.uploads}*`] = fileBehavior(
        'Uploads',
        FILE_CACHE_TTL.uploads,
      );
    }

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `media-service ${props.stageName}`,
      defaultBehavior: {
        origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      additionalBehaviors,
      ...(props.domainName && certificate ? { domainNames: [props.domainName], certificate } : {}),
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      webAclId: props.webAclArn,
    });
    this.acknowledgeFindings(props);
  }

  private acknowledgeFindings(props: CdnProps): void {
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geo restriction: the service is used wherever its API keys are; access is decided ' +
          'per key and per file, not per country.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Every request that reaches an origin is logged already (API Gateway access logs, S3 ' +
          'server access logs); CloudFront standard logs need ACLs on the log bucket, which ' +
          'enforces bucket-owner objects.',
      },
    );
    if (!props.webAclArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          "A web ACL is the deployer's choice (cdn.webAclArn): the API throttles per stage and " +
          'authenticates every request, and WAF rules depend on the organisation.',
      });
    }
    if (!props.domainName) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, ' +
          'whose TLS policy cannot be set; with cdn.domainName the distribution requires TLS 1.2.',
      });
    }
  }
}
