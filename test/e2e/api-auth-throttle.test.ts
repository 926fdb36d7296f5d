/**
 * Failed authentication is throttled per client address (AUTH_FAILURES_PER_MINUTE): past the limit
 * an address is refused with 429 TOO_MANY_FAILED_AUTH and Retry-After, a correct key included, while
 * other addresses are unaffected; with REDIS_URL, API nodes count an address's failures together.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { startService, type Service } from '../../src/api/start.js';
import { silentLogger } from '../../src/logger.js';
import type { ErrorAnswer } from '../support/api-helpers.js';
import { startApi, type ApiHarness } from '../support/api-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WRONG_KEY = 'rq_wrong_0123456789abcdefghijklmnopqrstuvwxyz';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: ErrorAnswer;
}

/** GET `path` with `key`, from the loopback address `from` (127.0.0.1 unless told). */
function get(baseUrl: string, path: string, key: string | null, from = '127.0.0.1'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        localAddress: from,
        headers: key === null ? {} : { authorization: `Bearer ${key}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            body: JSON.parse(text) as ErrorAnswer,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function expectThrottled(answer: Answer): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(429);
  expect(answer.body.error.code).toBe('TOO_MANY_FAILED_AUTH');
  const seconds = Number(answer.retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
  expect(answer.body.error.details).toMatchObject({ retryAfterSeconds: seconds });
}

describe('failed authentication is throttled per client address', () => {
  let api: ApiHarness | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('by default, 200 wrong keys from one address end in 429s, not 200 answers of 401', async () => {
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 }, { workers: 0 });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await get(api.baseUrl, '/api/users/me', WRONG_KEY)).status);
    expect(statuses.filter((s) => s === 401).length).toBe(30);
    expect(statuses.slice(30)).toEqual(Array(170).fill(429));
  });

  it('refuses the address past AUTH_FAILURES_PER_MINUTE, a correct key included, and no other address', async () => {
    api = await startApi({ AUTH_FAILURES_PER_MINUTE: 3, RATE_LIMIT_PER_MINUTE: 0 }, { workers: 0 });
    const user = await api.createUser();
    // Requests without a key are not guesses: they do not count.
    for (let i = 0; i < 5; i++) expect((await get(api.baseUrl, '/api/users/me', null)).status).toBe(401);
    for (let i = 0; i < 3; i++) {
      const answer = await get(api.baseUrl, '/api/users/me', WRONG_KEY);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('UNAUTHORIZED');
    }
    expectThrottled(await get(api.baseUrl, '/api/users/me', WRONG_KEY));
    // A correct key from the refused address is refused alike: otherwise a 429 would only mean "wrong".
    expectThrottled(await get(api.baseUrl, '/api/users/me', user.key));
    expectThrottled(await get(api.baseUrl, '/api/presentations/jobs', user.key));
    // Another client address is not affected, and the public routes stay open.
    expect((await get(api.baseUrl, '/api/users/me', user.key, '127.0.0.2')).status).toBe(200);
    expect((await get(api.baseUrl, '/api/users/me', WRONG_KEY, '127.0.0.2')).status).toBe(401);
    expect((await get(api.baseUrl, '/api/db/health', null)).status).toBe(200);
  });

  it('AUTH_FAILURES_PER_MINUTE=0 turns the throttle off', async () => {
    api = await startApi({ AUTH_FAILURES_PER_MINUTE: 0, RATE_LIMIT_PER_MINUTE: 0 }, { workers: 0 });
    for (let i = 0; i < 50; i++)
      expect((await get(api.baseUrl, '/api/users/me', WRONG_KEY)).status).toBe(401);
  });
});

describe('failed authentication across API nodes (REDIS_URL)', () => {
  let t: TestDatabase;
  const nodes: { app: Reelqueue; service: Service; url: string }[] = [];
  afterAll(async () => {
    for (const node of nodes.splice(0)) {
      await node.service.close();
      await node.app.close();
    }
    await t?.cleanup();
  });

  it('counts an address’s failures on every node together', async () => {
    t = await createTestDatabase({ AUTH_FAILURES_PER_MINUTE: 4, RATE_LIMIT_PER_MINUTE: 0 });
    for (let i = 0; i < 2; i++) {
      const app = await createReelqueue({ ...t.config, redisUrl: REDIS_URL }, { logger: silentLogger() });
      const service = await startService(app, { workers: 0 });
      await service.server.listen({ port: 0, host: '127.0.0.1' });
      const { port } = service.server.server.address() as AddressInfo;
      nodes.push({ app, service, url: `http://127.0.0.1:${port}` });
    }
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    // A fresh address per run, so a run never meets the counts an earlier one left in Redis.
    const from = `127.0.${1 + Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await get(i % 2 === 0 ? a.url : b.url, '/api/users/me', WRONG_KEY, from)).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    expectThrottled(await get(a.url, '/api/users/me', WRONG_KEY, from));
    expectThrottled(await get(b.url, '/api/users/me', WRONG_KEY, from));
  });
});
