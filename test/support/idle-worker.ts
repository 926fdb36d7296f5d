/**
 * A worker of `noop` jobs built straight on a store (no process, no app wiring), for the wake-up
 * tests: one slot, nothing claimed ahead, polls every 10 s, so between jobs it is idle and only a
 * wake-up, a poll or its own finished job makes it claim. Tests change what they measure.
 */
import type { KindRegistry } from '../../src/jobs/kinds.js';
import type { JobStore } from '../../src/jobs/store.js';
import { Worker, type WorkerOptions } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/logger.js';

export function idleWorker(
  store: JobStore,
  registry: KindRegistry,
  overrides: Partial<Omit<WorkerOptions, 'store' | 'registry'>> = {},
): Worker {
  return new Worker({
    store,
    registry,
    logger: silentLogger(),
    kinds: ['noop'],
    concurrency: 1,
    prefetchLimit: 0,
    prefetchWindowMs: 0,
    heartbeatSeconds: 5,
    leaseSeconds: 30,
    pollIntervalMs: 10_000,
    shutdownGraceSeconds: 1,
    abortGraceSeconds: 1,
    retryPolicy: { delaysSeconds: [0], jitter: 0 },
    ...overrides,
  });
}
