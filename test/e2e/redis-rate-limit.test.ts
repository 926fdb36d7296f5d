/**
 * RATE_LIMIT_PER_MINUTE across API nodes, on a real Redis: two servers on one database share a
 * key's allowance with REDIS_URL, and each keeps its own without it; with Redis away, every node
 * still holds the limit on its own. A refusal says when to come back (Retry-After).
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { startService, type Service } from '../../src/api/start.js';
import type { Config } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NO_REDIS_URL = 'redis://127.0.0.1:1';
const PER_MINUTE = 5;
const ADMIN_PER_MINUTE = 8;

interface Node {
  app: Reelqueue;
  service: Service;
  url: string;
}

describe('rate limits across API nodes (REDIS_URL)', () => {
  let t: TestDatabase | undefined;
  const nodes: Node[] = [];

  afterEach(async () => {
    for (const node of nodes.splice(0)) {
      await node.service.close();
      await node.app.close();
    }
    await t?.cleanup();
    t = undefined;
  });

  const startNode = async (config: Config): Promise<Node> => {
    const app = await createReelqueue(config, { logger: silentLogger() });
    const service = await startService(app, { workers: 0 });
    await service.server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = service.server.server.address() as AddressInfo;
    const node = { app, service, url: `http://127.0.0.1:${port}` };
    nodes.push(node);
    return node;
  };

  /** Two API nodes on one database, with `redisUrl`, and a key of a new user (or admin). */
  const twoNodes = async (redisUrl: string | undefined, role: 'user' | 'admin' = 'user') => {
    t = await createTestDatabase({
      RATE_LIMIT_PER_MINUTE: PER_MINUTE,
      ADMIN_RATE_LIMIT_PER_MINUTE: ADMIN_PER_MINUTE,
    });
    const config = { ...t.config, redisUrl };
    const [a, b] = [await startNode(config), await startNode(config)];
    const user = await a.app.database.users.createUser({ points: 0, role });
    const { key } = await a.app.database.users.createKey(user.id, 'limits');
    const get = (node: Node) =>
      fetch(`${node.url}/api/users/me`, { headers: { authorization: `Bearer ${key}` } });
    return { a, b, get };
  };

  it('shares a key’s allowance between nodes, and says when to come back', async () => {
    const { a, b, get } = await twoNodes(REDIS_URL);
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE; i++) statuses.push((await get(i % 2 === 0 ? a : b)).status);
    expect(statuses).toEqual(Array(PER_MINUTE).fill(200));

    for (const node of [a, b]) {
      const refused = await get(node);
      expect(refused.status).toBe(429);
      const body = (await refused.json()) as {
        error: { code: string; details: { retryAfterSeconds: number } };
      };
      expect(body.error.code).toBe('RATE_LIMITED');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(body.error.details.retryAfterSeconds).toBe(retryAfter);
    }
  });

  it('an admin key has its own allowance (ADMIN_RATE_LIMIT_PER_MINUTE), shared between nodes', async () => {
    const { a, b, get } = await twoNodes(REDIS_URL, 'admin');
    const statuses: number[] = [];
    for (let i = 0; i < ADMIN_PER_MINUTE; i++) statuses.push((await get(i % 2 === 0 ? a : b)).status);
    expect(statuses).toEqual(Array(ADMIN_PER_MINUTE).fill(200));
    expect([(await get(a)).status, (await get(b)).status]).toEqual([429, 429]);
  });

  it('without Redis, each node counts a key’s allowance on its own', async () => {
    const { a, b, get } = await twoNodes(undefined);
    const statuses: number[] = [];
    for (let i = 0; i < 2 * PER_MINUTE; i++) statuses.push((await get(i % 2 === 0 ? a : b)).status);
    expect(statuses).toEqual(Array(2 * PER_MINUTE).fill(200));
  });

  it('with Redis away, every node still holds the limit on its own', async () => {
    const { a, get } = await twoNodes(NO_REDIS_URL);
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE; i++) statuses.push((await get(a)).status);
    expect(statuses).toEqual(Array(PER_MINUTE).fill(200));
    // Tokens refill at PER_MINUTE/60 a second: one more may squeeze through before the refusal.
    const next = [(await get(a)).status, (await get(a)).status];
    expect(next).toContain(429);
  });
});
