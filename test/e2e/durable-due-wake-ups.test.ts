/**
 * Issue 29: a job that falls due later (a `run_at` ahead, a retry's delay) is found at its due time
 * even when the process that wrote it has stopped. The writer's own timer (due-wake-ups.ts) went
 * with it, and only a poll found the job; now each worker arms a timer of its own, from the `t:`
 * wake-up sent at the write or from the next due time it reads after a claim that found nothing.
 * The workers poll every ten minutes, so only such a timer gets the job done within the deadline.
 * Two apps on one database stand for two processes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { loadConfig, type SettingsInput } from '../../src/config.js';
import type { JobKind } from '../../src/jobs/kinds.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import type { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { hearing } from '../support/hearing.js';

/** Far beyond the test's deadline: a job done within it was found by a timer. */
const POLL_INTERVAL_MS = 600_000;
const DEADLINE_MS = 15_000;

const anyPayload = (input: unknown) =>
  typeof input === 'object' && input !== null ? (input as Record<string, never>) : {};

const later: JobKind = { name: 'later', parsePayload: anyPayload, run: () => Promise.resolve({}) };

/** Fails its first attempt (a retry follows after RETRY_DELAYS), completes the next. */
const flaky: JobKind = {
  name: 'flaky',
  parsePayload: anyPayload,
  run: ({ job }) =>
    job.attempt === 1 ? Promise.reject(new Error('first attempt fails')) : Promise.resolve({}),
};

/** No worker handles it: queued only to see that a process hears wake-ups. */
const PROBE = 'probe';
const probe: JobKind = { name: PROBE, parsePayload: anyPayload, run: () => Promise.resolve({}) };

describe('jobs due later are found at their due time after their writer stopped', () => {
  let t: TestDatabase | undefined;
  const running = new Map<Reelqueue, Worker[]>();

  afterEach(async () => {
    await Promise.all([...running.keys()].map((app) => stopProcess(app)));
    await t?.cleanup();
    t = undefined;
  });

  /** A process on the test's database; a worker of `kinds` if any. */
  async function startProcess(kinds: readonly string[], extra: SettingsInput = {}): Promise<Reelqueue> {
    t ??= await createTestDatabase();
    const app = await createReelqueue(
      loadConfig({}, { ...t.env, LOG_LEVEL: 'silent', POLL_INTERVAL_MS: String(POLL_INTERVAL_MS), ...extra }),
      { logger: silentLogger(), kinds: [later, flaky, probe], defaultKinds: false },
    );
    const workers: Worker[] = [];
    if (kinds.length > 0) {
      const worker = app.createWorker({ concurrency: 2, kinds });
      workers.push(worker);
      worker.start();
    }
    running.set(app, workers);
    return app;
  }

  /** Stops the process's worker and closes it, its wake-up timers with it. */
  async function stopProcess(app: Reelqueue): Promise<void> {
    const workers = running.get(app) ?? [];
    running.delete(app);
    await Promise.all(workers.map((worker) => worker.stop(0)));
    await app.close();
  }

  /** Waits for the job to complete, and checks it did not start before its due time. */
  async function completedOnTime(app: Reelqueue, id: string, what: string): Promise<void> {
    await waitFor(async () => (await app.jobs.get(id, ALL_JOBS))?.status === 'completed', {
      what,
      timeoutMs: DEADLINE_MS,
    });
    const job = await app.jobs.get(id, ALL_JOBS);
    expect(job!.startedAt!.getTime()).toBeGreaterThanOrEqual(job!.runAt.getTime());
  }

  it('a run_at ahead, its writer closed while an idle worker waits', async () => {
    const runner = await startProcess(['later']);
    const api = await startProcess([]);
    await hearing(runner, api, PROBE);
    const { job } = await api.enqueue({ kind: 'later', runAt: new Date(Date.now() + 3000) });
    expect(job.status).toBe('pending');
    await stopProcess(api);
    await completedOnTime(runner, job.id, 'the job to run at its run_at, its writer closed');
  });

  it('a run_at ahead, its writer closed before the worker started', async () => {
    const api = await startProcess([]);
    const { job } = await api.enqueue({ kind: 'later', runAt: new Date(Date.now() + 4000) });
    await stopProcess(api);
    const runner = await startProcess(['later']);
    await completedOnTime(runner, job.id, 'the job to run at its run_at, read from the database');
  });

  it('a retry’s delay, the process whose attempt failed closed', async () => {
    const failing = await startProcess(['flaky'], { RETRY_DELAYS: '3', RETRY_JITTER: '0' });
    const { job } = await failing.enqueue({ kind: 'flaky', maxRetries: 1 });
    await waitFor(
      async () => {
        const now = await failing.jobs.get(job.id, ALL_JOBS);
        return now?.status === 'pending' && now.attempt === 1;
      },
      { what: 'the first attempt to fail and its retry to be scheduled' },
    );
    await stopProcess(failing);
    const runner = await startProcess(['flaky']);
    await completedOnTime(runner, job.id, 'the retry to run once its delay elapsed');
    expect((await runner.jobs.get(job.id, ALL_JOBS))?.attempt).toBe(2);
  });
});
