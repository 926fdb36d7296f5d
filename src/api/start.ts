/**
 * Builds the HTTP service from an opened reelqueue: the API context, the server, the workers that
 * run in the same process, and the first admin key on an empty database.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Reelqueue } from '../app.js';
import type { Reaper } from '../jobs/reaper.js';
import type { Worker } from '../jobs/worker.js';
import { ensureAdminKey, type AdminKeyOutcome } from '../users/bootstrap.js';
import type { UserStore } from '../users/store.js';
import type { Authenticator, Caller } from './caller.js';
import type { ApiContext } from './context.js';
import { CachingAuthenticator } from './key-cache.js';
import type { Metrics } from './metrics.js';
import { buildServer, type RouteEntry } from './server.js';

export interface Service {
  server: FastifyInstance;
  metrics: Metrics;
  routes: RouteEntry[];
  workers: Worker[];
  reaper: Reaper | null;
  admin: AdminKeyOutcome;
  /** Stops accepting requests, lets workers finish or release their jobs, closes the database. */
  close(): Promise<void>;
}

/** Keys one API node remembers (each entry is about 200 bytes). */
const KEY_CACHE_ENTRIES = 10_000;

export interface ServiceOptions {
  /** Workers in this process (default SERVE_WORKERS; 0 for an API-only node). */
  workers?: number;
}

/** Looks every key up in the user store (the key cache sits in front of it). */
export function storeAuthenticator(users: UserStore): Authenticator {
  return {
    async authenticate(plainKey: string): Promise<Caller | null> {
      const found = await users.authenticate(plainKey);
      if (!found) return null;
      return {
        userId: found.user.id,
        role: found.user.role,
        walletAddress: found.user.walletAddress,
        keyId: found.keyId,
      };
    },
  };
}

export function apiContextFor(app: Reelqueue): ApiContext {
  const users = app.database.users;
  return {
    app,
    artifacts: app.database.artifacts,
    users,
    authenticator: new CachingAuthenticator(storeAuthenticator(users), () => users.keyRevision(), {
      ttlMs: app.config.apiKeyCacheSeconds * 1000,
      maxEntries: KEY_CACHE_ENTRIES,
    }),
    limits: {
      maxActiveJobsPerUser: app.config.maxActiveJobsPerUser,
      requestsPerMinute: app.config.rateLimitPerMinute,
      admin: {
        maxActiveJobs: app.config.adminMaxActiveJobs,
        requestsPerMinute: app.config.adminRateLimitPerMinute,
      },
      failedAuthPerMinute: app.config.authFailuresPerMinute,
    },
    jobCostPoints: app.config.jobCostPoints,
  };
}

export async function startService(app: Reelqueue, options: ServiceOptions = {}): Promise<Service> {
  const admin = await ensureAdminKey({
    users: app.database.users,
    configuredKey: app.config.adminKey,
    keyFile: path.resolve(app.config.dataDir, 'admin-key'),
  });
  const { server, metrics, routes } = await buildServer(apiContextFor(app), {
    bodyLimitBytes: app.config.bodyLimitBytes,
  });
  const workerCount = options.workers ?? app.config.serveWorkers;
  const workers: Worker[] = [];
  for (let i = 0; i < workerCount; i++) {
    const worker = app.createWorker();
    metrics.watch(worker);
    worker.start();
    workers.push(worker);
  }
  const reaper = workerCount > 0 ? app.createReaper() : null;
  reaper?.start();
  // Scheduled cleanup on the nodes that run workers; one of them runs it per interval.
  if (workerCount > 0) app.createCleanupScheduler().start();
  // Recurring jobs' ticks, on the same nodes; every node tries each tick, one queues it.
  if (workerCount > 0) app.createScheduler().start();
  // Every node folds the statistics rollups' deltas (any number may at once).
  app.createRollupFolder().start();
  return {
    server,
    metrics,
    routes,
    workers,
    reaper,
    admin,
    async close() {
      await server.close();
      await Promise.all(workers.map((worker) => worker.stop()));
      await reaper?.stop();
      await app.close();
    },
  };
}
