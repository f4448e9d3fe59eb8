import { describe, expect, it } from 'vitest';
import { resolveTarget, TargetError } from '../../../lib/cli/target.ts';
import type { ServiceConfig } from '../../../lib/config.ts';

const config: ServiceConfig = {
  tableName: 'media-service',
  bucketName: 'media-service',
  maxUploadBytes: 1,
  gracePeriodSeconds: 1,
  dynamoEndpoint: undefined,
  s3Endpoint: undefined,
  region: 'eu-west-1',
};

describe('resolveTarget', () => {
  it('defaults to the local stack on port 8000 and .data', () => {
    expect(resolveTarget({}, config)).toEqual({
      kind: 'local',
      port: 8000,
      dataDir: '.data',
      config,
    });
  });

  it('uses the same DATA_DIR / DYNAMODB_PORT as npm start', () => {
    expect(resolveTarget({ DATA_DIR: '/srv/data', DYNAMODB_PORT: '8123' }, config)).toMatchObject({
      kind: 'local',
      port: 8123,
      dataDir: '/srv/data',
    });
    expect(resolveTarget({ MEDIA_CLI_TARGET: 'local', DYNAMODB_PORT: '' }, config)).toMatchObject({
      kind: 'local',
      port: 8000,
    });
  });

  it('uses DYNAMODB_ENDPOINT as is', () => {
    expect(resolveTarget({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9001' }, config)).toEqual({
      kind: 'endpoint',
      endpoint: 'http://127.0.0.1:9001',
      config,
    });
  });

  it('goes to real AWS only when asked, with table and region set', () => {
    const env = { MEDIA_CLI_TARGET: 'aws', TABLE_NAME: 'prod-table', AWS_REGION: 'eu-west-1' };
    const target = resolveTarget(env, { ...config, dynamoEndpoint: 'http://ignored' });
    expect(target.kind).toBe('aws');
    expect(target.config.dynamoEndpoint).toBeUndefined();
    expect(
      resolveTarget({ ...env, AWS_REGION: undefined, AWS_DEFAULT_REGION: 'x' }, config).kind,
    ).toBe('aws');
  });

  it.each([
    [{ MEDIA_CLI_TARGET: 'aws', AWS_REGION: 'eu-west-1' }, /needs TABLE_NAME/],
    [{ MEDIA_CLI_TARGET: 'aws', TABLE_NAME: 't' }, /needs AWS_REGION/],
    [
      { MEDIA_CLI_TARGET: 'aws', TABLE_NAME: 't', AWS_REGION: 'r', DYNAMODB_ENDPOINT: 'http://x' },
      /cannot be combined/,
    ],
    [{ MEDIA_CLI_TARGET: 'cloud' }, /must be "local" or "aws"/],
    [{ DYNAMODB_PORT: 'abc' }, /DYNAMODB_PORT must be a port/],
    [{ DYNAMODB_PORT: '70000' }, /DYNAMODB_PORT must be a port/],
    [{ DYNAMODB_ENDPOINT: 'not a url' }, /DYNAMODB_ENDPOINT must be a URL/],
  ])('%j → %s', (env, expected) => {
    expect(() => resolveTarget(env, config)).toThrow(TargetError);
    expect(() => resolveTarget(env, config)).toThrow(expected);
  });
});
