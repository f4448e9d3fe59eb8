/**
 * Per-key rate limits through the local HTTP adapter: a second API Gateway stand-in on the
 * run's stores whose handlers run with `MEDIA_RATE_LIMIT_PER_MINUTE=5` (the shared stack keeps
 * limits off, the `npm start` default). Handlers read the setting once, at import, so this
 * file sets the environment before importing them (each test file has its own modules).
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../lib/db/client.ts';
import type { LocalHttpServer } from '../../local/http-server.ts';
import { type Scenario, seedScenario } from '../support/seed.ts';
import { type ApiOptions, api, testConfig, testTable } from '../support/stack.ts';

const LIMIT = 5;
let server: LocalHttpServer;
let s: Scenario;

beforeAll(async () => {
  const config = testConfig();
  vi.stubEnv('MEDIA_RATE_LIMIT_PER_MINUTE', String(LIMIT));
  vi.stubEnv('DYNAMODB_ENDPOINT', config.dynamoEndpoint);
  vi.stubEnv('S3_ENDPOINT', config.s3Endpoint);
  vi.stubEnv('TABLE_NAME', config.tableName);
  vi.stubEnv('BUCKET_NAME', config.bucketName);
  vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
  vi.stubEnv('MEDIA_STORAGE_MODE', 'local');
  vi.stubEnv('DATA_DIR', inject('dataDir'));
  const { startHttpServer } = await import('../../local/http-server.ts');
  server = await startHttpServer();
  s = await seedScenario(testTable());
});

afterAll(async () => {
  await server?.close();
  vi.unstubAllEnvs();
});

/** `api()` against the rate-limited server. */
const limited = (path: string, options: ApiOptions = {}) =>
  api(path, { ...options, baseUrl: server.url });

/** The counts are per clock minute: start a burst with enough of the minute left. */
async function atWindowStart(): Promise<void> {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 40_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 50));
}

const POLICY = `"per-key";q=${LIMIT};w=60`;

describe('rate limits per API key', () => {
  it('counts down in RateLimit, then answers 429 rate_limited with Retry-After', async () => {
    await atWindowStart();
    const remaining: string[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const response = await limited('/api/v1/media', { key: s.member.key });
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-policy')).toBe(POLICY);
      remaining.push(response.headers.get('ratelimit')?.split(';')[1] ?? '');
    }
    expect(remaining).toEqual(['r=4', 'r=3', 'r=2', 'r=1', 'r=0']);

    const over = await limited('/api/v1/media', { key: s.member.key });
    expect(over.status).toBe(429);
    expect(over.json).toEqual({
      error: {
        code: 'rate_limited',
        message: expect.stringContaining(`${LIMIT} requests`),
        details: { retryAfterSeconds: expect.any(Number) },
      },
    });
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.json.error.details.retryAfterSeconds).toBe(retryAfter);
    expect(over.headers.get('ratelimit')).toBe(`"per-key";r=0;t=${retryAfter}`);
    expect(over.headers.get('ratelimit-policy')).toBe(POLICY);
    expect(over.headers.get('x-request-id')).toBeTruthy();

    // Writes are refused too, before anything is looked at or stored.
    const upload = await limited('/api/v1/media', {
      method: 'POST',
      key: s.member.key,
      body: { postId: s.posts.byMember, fileName: 'a.png', mimeType: 'image/png', fileData: 'AA' },
    });
    expect(upload.status).toBe(429);
  });

  it('keeps keys apart: another key has its own budget', async () => {
    await atWindowStart();
    const response = await limited('/api/v1/media', { key: s.owner.key });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit')).toMatch(/^"per-key";r=4;t=\d+$/);
  });

  it('puts the headers on error responses of a known key, not on requests without one', async () => {
    await atWindowStart();
    const missing = await limited('/api/v1/media/att_missing', { key: s.admin.key });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('ratelimit-policy')).toBe(POLICY);
    expect(missing.headers.get('ratelimit')).toMatch(/^"per-key";r=4;t=\d+$/);

    const anonymous = await limited('/api/v1/media');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('ratelimit')).toBeNull();
    const health = await limited('/health');
    expect(health.headers.get('ratelimit')).toBeNull();
  });

  it('leaves the shared stack (limits off, the npm start default) without headers', async () => {
    const response = await api('/api/v1/media', { key: s.author.key });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit')).toBeNull();
    expect(response.headers.get('ratelimit-policy')).toBeNull();
  });
});
