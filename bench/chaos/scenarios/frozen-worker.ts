/**
 * A worker frozen with SIGSTOP past its lease while it runs jobs; another worker takes them over and
 * finishes them; the frozen one is resumed. Every write it then tries must be refused: no event of
 * it on the new attempts, and the finished jobs unchanged.
 */
import { ALL_JOBS } from '../../../src/jobs/store.js';
import { waitFor } from '../../../test/support/wait.js';
import { openDeployment } from '../deployment.js';
import type { ChaosScenario } from '../scenario.js';

const settings = {
  LEASE_SECONDS: '1.5',
  HEARTBEAT_SECONDS: '0.3',
  REAPER_INTERVAL_SECONDS: '0.3',
  POLL_INTERVAL_MS: '100',
};
const JOB_MS = 3000;

export const frozenWorker: ChaosScenario = {
  id: 'sigstop',
  title: 'SIGSTOP a worker past its lease, then SIGCONT',
  dbs: ['sqlite', 'postgres'],
  async run({ target, sizes }) {
    const d = await openDeployment(target, settings);
    try {
      const concurrency = String(sizes.frozenJobs);
      const frozen = await d.startWorker(['--concurrency', concurrency]);
      const frozenId = frozen.workerId ?? '';
      const ids: string[] = [];
      for (let i = 0; i < sizes.frozenJobs; i++) {
        const { job } = await d.app.enqueue({ kind: 'sleep', payload: { ms: JOB_MS }, maxRetries: 3 });
        ids.push(job.id);
      }
      await waitFor(
        async () => {
          const jobs = await Promise.all(ids.map((id) => d.app.jobs.get(id, ALL_JOBS)));
          return jobs.every((job) => job?.workerId === frozenId && job.status === 'running');
        },
        { timeoutMs: 30_000, what: 'the first worker to run every job' },
      );
      frozen.signal('SIGSTOP');
      const frozenAt = Date.now();
      await d.startWorker(['--concurrency', concurrency]);
      const finished = await waitFor(
        async () => {
          const jobs = await Promise.all(ids.map((id) => d.app.jobs.get(id, ALL_JOBS)));
          return jobs.every((job) => job?.status === 'completed') ? jobs : null;
        },
        { timeoutMs: 60_000, what: 'the second worker to finish every job' },
      );
      const takeoverMs = Date.now() - frozenAt;
      const before = await Promise.all(ids.map((id) => d.events(id)));

      frozen.signal('SIGCONT');
      // The frozen worker's own jobs would have ended by now: each of its writes is refused.
      const refusals = () => frozen.stderrLines.filter((line) => line.includes('lost the lease')).length;
      await waitFor(() => refusals() >= ids.length, {
        timeoutMs: JOB_MS + 15_000,
        what: 'every stale write to be refused',
      }).catch(() => undefined);
      const after = await Promise.all(ids.map((id) => d.app.jobs.get(id, ALL_JOBS)));
      const eventsAfter = await Promise.all(ids.map((id) => d.events(id)));
      const changedJobs = after.filter(
        (job, i) => JSON.stringify(job) !== JSON.stringify(finished[i]),
      ).length;
      const staleEvents = eventsAfter
        .map((events, i) => events.length - (before[i]?.length ?? 0))
        .reduce((a, b) => a + b, 0);
      const writesOnNewAttempts = eventsAfter
        .flat()
        .filter((e) => e.workerId === frozenId && e.attempt > 1).length;
      return {
        figures: [
          { name: 'jobs on the frozen worker', value: ids.length },
          {
            name: 'freeze → all finished by another worker',
            value: Math.round(takeoverMs / 100) / 10,
            unit: 's',
          },
          {
            name: 'stale writes refused (worker logged "lost the lease")',
            value: refusals(),
            expect: ids.length,
          },
          {
            name: 'stale writes accepted (events after resume)',
            value: staleEvents + writesOnNewAttempts,
            expect: 0,
          },
          { name: 'finished jobs changed by the resumed worker', value: changedJobs, expect: 0 },
          { name: 'frozen worker still alive after resume', value: frozen.exited ? 'no' : 'yes' },
        ],
        notes: [`lease 1.5 s, jobs of ${JOB_MS / 1000} s`],
      };
    } finally {
      await d.close();
    }
  },
};
