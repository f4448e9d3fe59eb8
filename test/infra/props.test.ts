/**
 * Bad construct props and bad context fail synthesis with a message naming the prop, the value
 * and what is expected, before any resource exists.
 */
import { App, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { mediaServicePropsFromContext, stackPropsFromContext } from '../../infra/context.ts';
import { accessFor, functionAccess, PROCESSING_MEMORY_MB } from '../../infra/function-access.ts';
import { MediaService } from '../../infra/media-service.ts';
import {
  type MediaServiceProps,
  resolveMediaServiceProps,
  validateAllowedOrigins,
} from '../../infra/media-service-props.ts';
import { newApp, removeAssemblies } from './synth.ts';

afterAll(removeAssemblies);

function build(props: Partial<MediaServiceProps>): Stack {
  const stack = new Stack(newApp(), 'PropsTest');
  new MediaService(stack, 'Service', { stageName: 'dev', ...props } as MediaServiceProps);
  return stack;
}

describe('stageName', () => {
  it.each(['qa', '', 'Prod', undefined])('rejects %j', (stageName) => {
    expect(() => build({ stageName: stageName as never })).toThrow(
      /^MediaService: stageName must be one of "dev", "staging", "prod", got /,
    );
  });

  it.each(['dev', 'staging', 'prod'] as const)('accepts %s', (stageName) => {
    // prod needs an alarm destination (test/infra/alarms.test.ts).
    const alarms = { email: 'oncall@example.com' };
    expect(resolveMediaServiceProps({ stageName, alarms }).stageName).toBe(stageName);
  });
});

describe('gracePeriodDays', () => {
  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '7'])('rejects %j', (value) => {
    expect(() => build({ gracePeriodDays: value as never })).toThrow(
      /^MediaService: gracePeriodDays must be an integer between 1 and 36500, got /,
    );
  });

  it('defaults to 7 and accepts any positive integer', () => {
    expect(resolveMediaServiceProps({ stageName: 'dev' }).gracePeriodDays).toBe(7);
    expect(resolveMediaServiceProps({ stageName: 'dev', gracePeriodDays: 1 }).gracePeriodDays).toBe(
      1,
    );
  });
});

describe('allowedOrigins', () => {
  it.each([
    ['example.com', /"example.com" is not a valid origin/],
    ['https://example.com/', /no path, query or trailing slash/],
    ['https://example.com/app', /is not a valid origin/],
    ['https://example.com?x=1', /is not a valid origin/],
    ['http://example.com', /plain http is only allowed for localhost/],
    ['ftp://example.com', /is not a valid origin/],
    ['https://exa mple.com', /is not a valid origin/],
    ['https://-bad.example.com', /is not a valid origin/],
    ['https://example.com:0', /is not a valid origin/],
    ['https://example.com:99999', /is not a valid origin/],
    ['https://user@example.com', /is not a valid origin/],
    ['https://*.example.com', /is not a valid origin/],
    ['', /is not a valid origin/],
  ])('rejects %j', (origin, message) => {
    expect(() => build({ allowedOrigins: ['https://ok.example.com', origin] })).toThrow(
      /^MediaService: allowedOrigins\[1\] /,
    );
    expect(() => build({ allowedOrigins: [origin] })).toThrow(message);
  });

  it('rejects "*" combined with other origins', () => {
    expect(() => build({ allowedOrigins: ['*', 'https://a.example.com'] })).toThrow(
      /allowedOrigins "\*" allows every origin and cannot be combined with others/,
    );
  });

  it('rejects non-strings', () => {
    expect(() => build({ allowedOrigins: [42 as never] })).toThrow(
      /allowedOrigins\[0\] must be a string, got 42/,
    );
  });

  it('accepts https origins with ports, localhost over http, and "*"', () => {
    expect(
      validateAllowedOrigins([
        'https://App.Example.com',
        'https://app.example.com:8443',
        'http://localhost',
        'http://localhost:5173',
        'https://app.example.com',
      ]),
    ).toEqual([
      'https://app.example.com',
      'https://app.example.com:8443',
      'http://localhost',
      'http://localhost:5173',
    ]);
    expect(validateAllowedOrigins(['*'])).toEqual(['*']);
    expect(validateAllowedOrigins(undefined)).toEqual([]);
  });
});

describe('other props', () => {
  it('takes a per-key rate limit, 0 turning it off', () => {
    expect(resolveMediaServiceProps({ stageName: 'dev' }).rateLimitPerMinute).toBe(600);
    expect(
      resolveMediaServiceProps({ stageName: 'dev', rateLimitPerMinute: 0 }).rateLimitPerMinute,
    ).toBe(0);
  });

  it('rejects a log retention that is not a RetentionDays value', () => {
    expect(() => build({ logRetention: 42 as RetentionDays })).toThrow(
      /^MediaService: logRetention must be a RetentionDays value \(1, 3, 5, .*\), got 42$/,
    );
    expect(
      resolveMediaServiceProps({ stageName: 'dev', logRetention: RetentionDays.ONE_YEAR })
        .logRetention,
    ).toBe(365);
  });

  it.each([
    [{ maxUploadBytes: 0 }, /maxUploadBytes must be an integer > 0, got 0/],
    [{ rateLimitPerMinute: -1 }, /rateLimitPerMinute must be an integer >= 0 \(0: off\), got -1/],
    [{ rateLimitPerMinute: 1.5 }, /rateLimitPerMinute must be an integer >= 0/],
    [{ keepLocation: 'yes' as never }, /keepLocation must be true or false, got "yes"/],
    [{ throttle: { rateLimit: -5 } }, /throttle.rateLimit must be an integer > 0, got -5/],
    [{ throttle: { burstLimit: 0.5 } }, /throttle.burstLimit must be an integer > 0, got 0.5/],
    [
      { logLevel: 'TRACE' as never },
      /logLevel must be one of DEBUG, INFO, WARN, ERROR, got "TRACE"/,
    ],
    [
      { alarms: { apiServerErrorRatePercent: 0 } },
      /alarms.apiServerErrorRatePercent must be a number in \(0, 100\]/,
    ],
    [{ alarms: { apiMinimumRequests: 0 } }, /alarms.apiMinimumRequests must be an integer > 0/],
    [
      // The event source's maximum concurrency: AWS accepts 2 to 1000.
      { processingConcurrency: 1 },
      /processingConcurrency must be an integer between 2 and 1000, got 1/,
    ],
    [
      { processingConcurrency: 1001 },
      /processingConcurrency must be an integer between 2 and 1000, got 1001/,
    ],
    [{ indexShards: 0 }, /indexShards must be an integer between 1 and 256, got 0/],
    [{ indexShards: 257 }, /indexShards must be an integer between 1 and 256, got 257/],
  ])('rejects %j', (props, message) => {
    expect(() => build(props as Partial<MediaServiceProps>)).toThrow(message);
  });

  it('creates nothing when the props are invalid', () => {
    const stack = new Stack(newApp(), 'Empty');
    expect(
      () => new MediaService(stack, 'Service', { stageName: 'dev', gracePeriodDays: 0 }),
    ).toThrow();
    const service = stack.node.tryFindChild('Service');
    expect(service?.node.children ?? []).toEqual([]);
  });
});

describe('routes and the access map', () => {
  it('fails synthesis when a route has no access entry', () => {
    expect(() =>
      build({ routes: [{ name: 'mystery-report', method: 'GET', path: '/api/v1/mystery' }] }),
    ).toThrow(
      'Function "mystery-report" has no access entry: declare its table/bucket permissions, ' +
        'memory and timeout in infra/function-access.ts (least privilege is declared per function).',
    );
  });

  it('does not accept inherited object keys as access entries', () => {
    expect(() => accessFor('toString')).toThrow(/no access entry/);
    expect(() => accessFor('__proto__')).toThrow(/no access entry/);
  });

  it('fails synthesis when an HTTP function may run longer than API Gateway waits', () => {
    expect(() =>
      build({
        routes: [{ name: 'health', method: 'GET', path: '/health' }],
        functionAccess: { health: { table: 'healthSentinel', memoryMb: 256, timeoutSeconds: 60 } },
      }),
    ).toThrow(/function "health" serves GET \/health but its timeout is 60 s.*within 29 s/);
  });

  it('fails synthesis on a duplicate route', () => {
    const route = { name: 'health', method: 'GET', path: '/health' } as const;
    expect(() => build({ routes: [route, route] })).toThrow(/route GET \/health is declared twice/);
  });

  it('sizes every HTTP-capable entry within the API Gateway timeout, workers within Lambda limits', () => {
    for (const [name, access] of Object.entries(functionAccess)) {
      expect(access.memoryMb, name).toBeGreaterThanOrEqual(128);
      expect(access.memoryMb, name).toBeLessThanOrEqual(10_240);
      expect(access.timeoutSeconds, name).toBeLessThanOrEqual(900);
    }
  });
});

describe('processingMemoryMb', () => {
  /** The synthesized `MemorySize` of the function `name`. */
  const memoryOf = (props: Partial<MediaServiceProps>, name = 'process-media') => {
    const service = build(props).node.findChild('Service') as MediaService;
    const fn = service.functions.get(name);
    if (!fn) throw new Error(`no function ${name}`);
    return (fn.function.node.defaultChild as CfnFunction).memorySize;
  };

  it('defaults to the size the decode bench justifies (infra/function-access.ts)', () => {
    expect(PROCESSING_MEMORY_MB).toBe(1536);
    expect(memoryOf({})).toBe(1536);
    expect(accessFor('process-media').memoryMb).toBe(PROCESSING_MEMORY_MB);
  });

  it('is a prop of the service, for the processing function only', () => {
    expect(memoryOf({ processingMemoryMb: 3008 })).toBe(3008);
    expect(memoryOf({ processingMemoryMb: 3008 }, 'upload-media')).toBe(
      accessFor('upload-media').memoryMb,
    );
  });

  it.each([127, 10_241, 1.5, '2048'])('rejects %j', (value) => {
    expect(() => build({ processingMemoryMb: value as never })).toThrow(
      /^MediaService: processingMemoryMb must be an integer between 128 and 10240, got /,
    );
  });
});

describe('context', () => {
  const withContext = (context: Record<string, unknown>) => new App({ context }).node;

  it('defaults to the dev stage with 14-day logs', () => {
    expect(mediaServicePropsFromContext(withContext({}))).toMatchObject({
      stageName: 'dev',
      logRetention: 14,
      gracePeriodDays: undefined,
      allowedOrigins: undefined,
    });
  });

  it('parses -c strings: numbers and comma-separated or JSON origin lists', () => {
    const props = mediaServicePropsFromContext(
      withContext({
        stage: 'prod',
        gracePeriodDays: '10',
        logRetentionDays: '365',
        allowedOrigins: 'https://a.example.com, https://b.example.com',
        throttleRateLimit: '20',
        processingConcurrency: '4',
        processingMemoryMb: '2048',
        indexProjection: 'lean',
      }),
    );
    expect(props).toMatchObject({
      stageName: 'prod',
      gracePeriodDays: 10,
      logRetention: 365,
      allowedOrigins: ['https://a.example.com', 'https://b.example.com'],
      throttle: { rateLimit: 20 },
      processingConcurrency: 4,
      processingMemoryMb: 2048,
      indexProjection: 'lean',
    });
    expect(
      mediaServicePropsFromContext(withContext({ allowedOrigins: '["https://a.example.com"]' }))
        .allowedOrigins,
    ).toEqual(['https://a.example.com']);
    expect(
      mediaServicePropsFromContext(withContext({ allowedOrigins: ['https://c.example.com'] }))
        .allowedOrigins,
    ).toEqual(['https://c.example.com']);
  });

  it('rejects non-numeric numbers and broken lists with the context key in the message', () => {
    expect(() => mediaServicePropsFromContext(withContext({ gracePeriodDays: 'seven' }))).toThrow(
      'context "gracePeriodDays" must be a number, got "seven"',
    );
    expect(() => mediaServicePropsFromContext(withContext({ allowedOrigins: '[oops' }))).toThrow(
      /context "allowedOrigins" is not a valid JSON array/,
    );
    expect(() => stackPropsFromContext(withContext({ alarmTopicArn: 'on-call' }))).toThrow(
      /context "alarmTopicArn" must be an SNS topic ARN/,
    );
  });

  it('takes keepLocation as a JSON boolean or the string true/false, and refuses anything else', () => {
    const keepLocation = (value: unknown) =>
      mediaServicePropsFromContext(withContext({ keepLocation: value })).keepLocation;
    expect(keepLocation('true')).toBe(true);
    expect(keepLocation(true)).toBe(true);
    expect(keepLocation('false')).toBe(false);
    expect(keepLocation(false)).toBe(false);
    // Unset: the construct's default (off).
    expect(keepLocation(undefined)).toBeUndefined();
    for (const value of ['yes', '1', 'TRUE', 'False', '', 1, 0]) {
      expect(() => keepLocation(value), String(value)).toThrow(
        `context "keepLocation" must be true or false, got ${JSON.stringify(value)}`,
      );
    }
  });

  it('takes the per-key rate limit (-c rateLimitPerMinute=N), judged by the construct', () => {
    const rateLimit = (value: unknown) =>
      mediaServicePropsFromContext(withContext({ rateLimitPerMinute: value }));
    expect(rateLimit('120').rateLimitPerMinute).toBe(120);
    expect(rateLimit('0').rateLimitPerMinute).toBe(0);
    expect(rateLimit(undefined).rateLimitPerMinute).toBeUndefined();
    expect(() => rateLimit('lots')).toThrow(
      'context "rateLimitPerMinute" must be a number, got "lots"',
    );
    expect(() => resolveMediaServiceProps(rateLimit('-5'))).toThrow(
      /rateLimitPerMinute must be an integer >= 0/,
    );
    expect(() => resolveMediaServiceProps(rateLimit('1.5'))).toThrow(
      /rateLimitPerMinute must be an integer >= 0/,
    );
  });

  it('takes an existing break-glass role by ARN, and refuses anything else', () => {
    const arn = 'arn:aws:iam::123456789012:role/security/break-glass';
    expect(mediaServicePropsFromContext(withContext({ breakGlassRoleArn: arn }))).toMatchObject({
      bucketProtection: { breakGlassRoleArn: arn },
    });
    expect(() =>
      mediaServicePropsFromContext(withContext({ breakGlassRoleArn: 'break-glass' })),
    ).toThrow(/context "breakGlassRoleArn" must be an IAM role ARN/);
  });

  it('lets the construct judge the parsed values (e.g. a zero grace period)', () => {
    const props = mediaServicePropsFromContext(withContext({ gracePeriodDays: '0' }));
    expect(() => resolveMediaServiceProps(props)).toThrow(/gracePeriodDays must be an integer/);
  });
});
