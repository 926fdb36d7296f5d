/**
 * A real reelqueue HTTP service on a random localhost port, on a fresh test database, with a worker
 * running the real render pipeline, plus helpers to make users and call the API.
 */
import type { AddressInfo } from 'node:net';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { startService, type Service } from '../../src/api/start.js';
import type { SettingsInput } from '../../src/config.js';
import { defaultKinds } from '../../src/default-kinds.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestUser {
  id: string;
  key: string;
  walletAddress: string | null;
}

export interface ApiHarness {
  t: TestDatabase;
  app: Reelqueue;
  service: Service;
  baseUrl: string;
  admin: TestUser;
  createUser(options?: { points?: number; wallet?: string }): Promise<TestUser>;
  call(
    user: TestUser | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  /** Stops the service (keeping the database) and starts a new one on the same database. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startApi(
  settings: SettingsInput = {},
  options: { workers?: number; postgresUrl?: string } = {},
): Promise<ApiHarness> {
  const t = await createTestDatabase(
    {
      HEARTBEAT_SECONDS: 0.5,
      LEASE_SECONDS: 5,
      POLL_INTERVAL_MS: 200,
      REELQUEUE_ADMIN_KEY: 'rq_testadmin_0123456789abcdefghijklmnopqrstuvwxyz',
      ...settings,
    },
    options.postgresUrl === undefined ? {} : { postgresUrl: options.postgresUrl },
  );
  let app: Reelqueue;
  let service: Service;
  let baseUrl = '';
  const start = async () => {
    app = await createReelqueue(t.config, { logger: silentLogger(), kinds: defaultKinds });
    service = await startService(app, { workers: options.workers ?? 1 });
    await service.server.listen({ port: 0, host: '127.0.0.1' });
    const address = service.server.server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${address.port}`;
  };
  await start();
  const adminKey = t.config.adminKey ?? '';
  const found = await app!.database.users.authenticate(adminKey);
  if (!found) throw new Error('the configured admin key does not authenticate');
  const admin: TestUser = { id: found.user.id, key: adminKey, walletAddress: null };

  const harness: ApiHarness = {
    t,
    get app() {
      return app;
    },
    get service() {
      return service;
    },
    get baseUrl() {
      return baseUrl;
    },
    admin,
    async createUser(opts = {}) {
      const user = await app.database.users.createUser({
        points: opts.points ?? 0,
        walletAddress: opts.wallet ?? null,
      });
      const key = await app.database.users.createKey(user.id, 'test');
      return { id: user.id, key: key.key, walletAddress: user.walletAddress };
    },
    async call(user, method, path, body, headers = {}) {
      return fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(user && { authorization: `Bearer ${user.key}` }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    },
    async restart() {
      await service.close();
      await start();
    },
    async close() {
      await service.close();
      await t.cleanup();
    },
  };
  return harness;
}

/** A lesson small enough to render in about a second. */
export const TINY_LESSON = {
  lesson: {
    title: 'Clouds',
    slides: [
      { title: 'What clouds are', narration: 'Clouds are tiny droplets of water.' },
      { title: 'Why they float', narration: 'The droplets are light and ride the air.' },
    ],
  },
  resolution: '320x180',
};
