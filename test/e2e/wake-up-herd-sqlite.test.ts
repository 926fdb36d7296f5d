/**
 * Issue 29 on SQLite: twenty idle worker processes on one host hear each new job through the wake
 * file beside the database. The file now says how many jobs of which kind, so only a few of them
 * answer a one-job wake-up (src/jobs/wake-up-lottery.ts), as over NOTIFY; before, it carried no
 * count and every one of them claimed for every job (about 21 claims per job here).
 *
 * Each worker hears wake-ups only through a `SqliteSignals` of its own, that is through its own
 * watch of the wake file, as a worker in a process of its own does; the jobs are queued through the
 * app's store, whose signals write the file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { SqliteSignals } from '../../src/db/sqlite/signals.js';
import { ALL_JOBS, type JobStore } from '../../src/jobs/store.js';
import type { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, DIALECT, type TestDatabase } from '../support/test-database.js';
import { idleWorker } from '../support/idle-worker.js';
import { waitFor } from '../support/wait.js';

const WORKERS = 20;
const JOBS = 40;

describe.runIf(DIALECT === 'sqlite')('wake-ups of an idle fleet on one SQLite file', () => {
  let t: TestDatabase;
  let app: Reelqueue;
  const workers: Worker[] = [];
  const signals: SqliteSignals[] = [];

  beforeEach(async () => {
    t = await createTestDatabase();
    app = await createReelqueue(t.config, { logger: silentLogger(), defaultKinds: false });
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop(0)));
    for (const own of signals.splice(0)) own.release();
    await app.close();
    await t.cleanup();
  });

  /** The app's store, heard through a wake file watch of this worker's own, counting its claims. */
  function storeOfAProcess(filename: string, counter: { claims: number }): JobStore {
    const own = new SqliteSignals(filename, () => undefined).hold();
    signals.push(own);
    return new Proxy(app.jobs, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property === 'claim') {
          return (...args: Parameters<JobStore['claim']>) => {
            counter.claims++;
            return target.claim(...args);
          };
        }
        if (property === 'onJobAvailable') {
          return (listener: Parameters<JobStore['onJobAvailable']>[0]) => own.onJobAvailable(listener);
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  it('a one-job wake-up through the wake file makes a few of twenty idle workers claim, not all of them', async () => {
    const filename = t.config.databaseUrl.slice('sqlite:'.length);
    const counter = { claims: 0 };
    for (let i = 0; i < WORKERS; i++) {
      const worker = idleWorker(storeOfAProcess(filename, counter), app.kinds);
      workers.push(worker);
      worker.start();
    }
    // Their first claims (start-up) are not counted.
    await waitFor(() => counter.claims >= WORKERS, { what: 'the start-up claims' });
    const before = counter.claims;
    for (let i = 0; i < JOBS; i++) {
      const { job } = await app.enqueue({ kind: 'noop' });
      await waitFor(async () => (await app.jobs.get(job.id, ALL_JOBS))?.status === 'completed', {
        what: `job ${i} completed`,
        timeoutMs: 20_000,
      });
    }
    const perJob = (counter.claims - before) / JOBS;
    // Every worker claiming for every job makes WORKERS + 1 claims per job; the lottery about 3.
    expect(perJob).toBeLessThan(WORKERS / 3);
    expect(Math.min(...workers.map((worker) => worker.wakeUpChance))).toBeLessThan(1);
  });
});
