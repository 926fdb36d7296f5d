/**
 * SIGTERM to a busy worker: it stops claiming, lets the jobs that can finish within the grace
 * period finish, and releases the others without using up an attempt. Another worker then finishes
 * those; no job is lost.
 */
import { ALL_JOBS } from '../../../src/jobs/store.js';
import { waitFor } from '../../../test/support/wait.js';
import { openDeployment } from '../deployment.js';
import type { ChaosScenario } from '../scenario.js';

const GRACE_SECONDS = 2;
const settings = {
  LEASE_SECONDS: '5',
  HEARTBEAT_SECONDS: '0.5',
  REAPER_INTERVAL_SECONDS: '0.5',
  POLL_INTERVAL_MS: '100',
  SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
};

export const drain: ChaosScenario = {
  id: 'drain',
  title: 'SIGTERM drain of a busy worker',
  dbs: ['sqlite', 'postgres'],
  async run({ target, sizes }) {
    const d = await openDeployment(target, settings);
    try {
      const total = sizes.drainShort + sizes.drainLong;
      const worker = await d.startWorker(['--concurrency', String(total)]);
      const short = await d.app.enqueueMany(
        Array.from({ length: sizes.drainShort }, () => ({ kind: 'sleep', payload: { ms: 1000 } })),
      );
      const long = await d.app.enqueueMany(
        Array.from({ length: sizes.drainLong }, () => ({ kind: 'sleep', payload: { ms: 8000 } })),
      );
      const ids = [...short, ...long].map((result) => result.job.id);
      await waitFor(
        async () => {
          const jobs = await Promise.all(ids.map((id) => d.app.jobs.get(id, ALL_JOBS)));
          return jobs.every((job) => job?.status === 'running');
        },
        { timeoutMs: 30_000, what: 'every job to be running' },
      );
      const signalledAt = Date.now();
      worker.signal('SIGTERM');
      await waitFor(() => worker.exited, { timeoutMs: 60_000, what: 'the worker to exit' });
      const exitMs = Date.now() - signalledAt;
      const atExit = await Promise.all(ids.map((id) => d.app.jobs.get(id, ALL_JOBS)));
      const finished = atExit.filter((job) => job?.status === 'completed').length;
      const released = atExit.filter((job) => job?.status === 'pending').length;
      const stranded = atExit.filter((job) => job?.status === 'running').length;
      const attemptsUsed = atExit.filter((job) => job?.status === 'pending' && job.retryCount > 0).length;

      const startedAgain = Date.now();
      await d.startWorker(['--concurrency', String(total)]);
      await waitFor(
        async () => {
          const jobs = await Promise.all(ids.map((id) => d.app.jobs.get(id, ALL_JOBS)));
          return jobs.every((job) => job?.status === 'completed');
        },
        { timeoutMs: 60_000, what: 'the released jobs to complete' },
      ).catch(() => undefined);
      const end = await Promise.all(ids.map((id) => d.app.jobs.get(id, ALL_JOBS)));
      const lost = end.filter((job) => job?.status !== 'completed').length;
      return {
        figures: [
          { name: 'jobs in flight at SIGTERM', value: ids.length },
          { name: 'SIGTERM → worker exited', value: Math.round(exitMs / 100) / 10, unit: 's' },
          { name: 'finished within the grace period', value: finished, expect: sizes.drainShort },
          { name: 'released to the queue', value: released, expect: sizes.drainLong },
          { name: 'left running by the exited worker', value: stranded, expect: 0 },
          { name: 'released jobs charged an attempt', value: attemptsUsed, expect: 0 },
          { name: 'jobs lost (not completed by the next worker)', value: lost, expect: 0 },
          {
            name: 'next worker started → all completed',
            value: Math.round((Date.now() - startedAgain) / 100) / 10,
            unit: 's',
          },
        ],
        notes: [`grace ${GRACE_SECONDS} s; ${sizes.drainShort} jobs of 1 s, ${sizes.drainLong} of 8 s`],
      };
    } finally {
      await d.close();
    }
  },
};
