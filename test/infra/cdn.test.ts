/**
 * The optional CDN: off by default; with the props, a distribution in front of the API and of
 * file delivery (origin access control, signed URLs, a year of caching for thumbnails), on a
 * custom domain with TLS 1.2+, and cdk-nag still clean.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_CACHE_TTL } from '../../infra/cdn.ts';
import { removeAssemblies, resourcesOf, synthStack } from './synth.ts';

afterAll(removeAssemblies);

const DOMAIN = 'media.example.com';
const CERTIFICATE =
  'arn:aws:acm:us-east-1:123456789012:certificate/0b4c9f1e-1111-2222-3333-444455556666';
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

let synth: ReturnType<typeof synthStack>;

beforeAll(() => {
  synth = synthStack({
    service: { cdn: { domainName: DOMAIN, certificateArn: CERTIFICATE, signingPublicKeyPem: PEM } },
  });
});

const idOf = (construct: { node: { defaultChild?: unknown } } | undefined) =>
  synth.stack.getLogicalId(construct?.node.defaultChild as never);

describe('CDN off (default)', () => {
  it('creates no distribution', () => {
    const plain = synthStack({ service: { stageName: 'dev' } });
    plain.template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    expect(plain.stack.service.cdn).toBeUndefined();
  });
});

describe('CDN on', () => {
  it('serves the custom domain with the given certificate and TLS 1.2', () => {
    synth.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: [DOMAIN],
        ViewerCertificate: {
          AcmCertificateArn: CERTIFICATE,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
        HttpVersion: 'http2and3',
      }),
    });
  });

  it('forwards everything else to the API uncached, all methods, HTTPS only', () => {
    const [, distribution] = resourcesOf(synth.json, 'AWS::CloudFront::Distribution')[0] ?? [];
    const config = distribution?.Properties.DistributionConfig;
    const apiOrigin = config.Origins.find(
      (o: { CustomOriginConfig?: unknown }) => o.CustomOriginConfig,
    );
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(idOf(synth.stack.service.api));
    expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior).toMatchObject({
      TargetOriginId: apiOrigin.Id,
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      // Managed CachingDisabled and AllViewerExceptHostHeader.
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
  });

  it('delivers files from the bucket through origin access control with signed URLs only', () => {
    synth.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    synth.template.hasResourceProperties('AWS::CloudFront::PublicKey', {
      PublicKeyConfig: Match.objectLike({ EncodedKey: PEM }),
    });
    const keyGroupId = idOf(synth.stack.service.cdn?.keyGroup);
    synth.template.hasResourceProperties('AWS::CloudFront::KeyGroup', {
      KeyGroupConfig: Match.objectLike({ Items: [Match.anyValue()] }),
    });
    const [, distribution] = resourcesOf(synth.json, 'AWS::CloudFront::Distribution')[0] ?? [];
    const behaviors = distribution?.Properties.DistributionConfig.CacheBehaviors as Array<
      Record<string, unknown>
    >;
    expect(behaviors.map((b) => b.PathPattern).sort()).toEqual(['/thumbnails/*', '/uploads/*']);
    for (const behavior of behaviors) {
      expect(behavior).toMatchObject({
        TrustedKeyGroups: [{ Ref: keyGroupId }],
        AllowedMethods: ['GET', 'HEAD'],
        ViewerProtocolPolicy: 'redirect-to-https',
      });
    }
    // The bucket lets this distribution (and no other) read objects.
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: {
              StringEquals: { 'AWS:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  it('caches immutable thumbnails for a year, originals for a day', () => {
    synth.template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: FILE_CACHE_TTL.thumbnails.toSeconds(),
        MinTTL: 31_536_000,
        MaxTTL: 31_536_000,
      }),
    });
    synth.template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ DefaultTTL: 86_400 }),
    });
  });

  it('outputs the CDN URL', () => {
    synth.template.hasOutput('CdnUrl', { Value: `https://${DOMAIN}/` });
  });

  it('keeps cdk-nag clean', () => {
    expect(new AwsSolutionsChecks().validateScope(synth.stack).violations).toEqual([]);
  });

  it('refuses a domain without a certificate', () => {
    expect(() =>
      synthStack({ service: { stageName: 'dev', cdn: { domainName: DOMAIN } } }),
    ).toThrow(/MediaService: cdn.certificateArn is required with cdn.domainName/);
  });
});
