/**
 * kill -9 of random worker processes while they run 1,000+ short jobs with the default retry limit:
 * every job must complete once, no two runs of a job may overlap, and no job may fail because its
 * workers died (a crash is not the job's fault).
 */
import { ALL_JOBS as ALL } from '../../../src/jobs/store.js';
import { percentile } from '../../lib/stats.js';
import { waitFor } from '../../../test/support/wait.js';
import type { WorkerProcess } from '../../../test/support/worker-process.js';
import { openDeployment } from '../deployment.js';
import { analyseRuns, runsOf } from '../runs.js';
import type { ChaosScenario } from '../scenario.js';

const LEASE_SECONDS = 2;
const settings = {
  LEASE_SECONDS: String(LEASE_SECONDS),
  HEARTBEAT_SECONDS: '0.4',
  REAPER_INTERVAL_SECONDS: '0.5',
  POLL_INTERVAL_MS: '200',
  SHUTDOWN_GRACE_SECONDS: '5',
};

export const killWorkers: ChaosScenario = {
  id: 'kill-workers',
  title: 'kill -9 of random workers during a run',
  dbs: ['sqlite', 'postgres'],
  async run({ target, sizes, log }) {
    const d = await openDeployment(target, settings);
    try {
      // Workers first: jobs queued before they are up would be half done before the first kill.
      const alive: WorkerProcess[] = [];
      for (let i = 0; i < sizes.killWorkers; i++) alive.push(await d.startWorker(['--concurrency', '4']));
      // The default retry limit (MAX_RETRIES=2): a job that fails here failed by crashes alone.
      await d.app.enqueueMany(
        Array.from({ length: sizes.killJobs }, (_, i) => ({
          kind: 'sleep',
          payload: { ms: 200 + ((i * 37) % 600) },
        })),
      );
      const killedAt = new Map<string, number>();
      const replacements: Promise<void>[] = [];
      for (let k = 0; k < sizes.kills; k++) {
        // Kills spread over the first 70% of the run, at random moments.
        const due = Math.floor(((k + 1) / (sizes.kills + 1)) * 0.7 * sizes.killJobs);
        await waitFor(async () => (await d.app.jobs.health(ALL)).completed >= due, {
          timeoutMs: 120_000,
          intervalMs: 50 + Math.random() * 200,
          what: `${due} jobs to complete`,
        });
        // The victim: a random worker among those running jobs right now (a kill that hits no job
        // tests nothing).
        const busy = await waitFor(
          async () => {
            const running = await d.app.jobs.list({ statuses: ['running'], limit: 100 }, ALL);
            const owners = new Set(running.jobs.map((job) => job.workerId));
            const candidates = alive.filter((worker) => owners.has(worker.workerId));
            if (candidates.length > 0) return candidates;
            const health = await d.app.jobs.health(ALL);
            return health.pending + health.running === 0 ? [] : null;
          },
          { timeoutMs: 60_000, what: 'a worker with running jobs' },
        );
        const victim = busy[Math.floor(Math.random() * busy.length)];
        if (!victim) break;
        alive.splice(alive.indexOf(victim), 1);
        await victim.killHard();
        killedAt.set(victim.workerId ?? '', victim.killedAt ?? Date.now());
        // Its replacement joins when it has started; the run goes on meanwhile.
        replacements.push(d.startWorker(['--concurrency', '4']).then((worker) => void alive.push(worker)));
      }
      await Promise.all(replacements);
      log(`${killedAt.size} workers killed; waiting for the queue to drain`);
      const lastKill = Math.max(...killedAt.values());
      await waitFor(
        async () => {
          const h = await d.app.jobs.health(ALL);
          return h.pending + h.running === 0;
        },
        { timeoutMs: 180_000, intervalMs: 250, what: 'every job to finish' },
      ).catch(() => log('the queue did not drain within 180 s'));
      const drainMs = Date.now() - lastKill;

      const jobs = await d.allJobs();
      const perJob = [];
      for (const job of jobs) perJob.push(runsOf(await d.events(job.id), killedAt));
      const analysis = analyseRuns(perJob);
      const completed = jobs.filter((job) => job.status === 'completed').length;
      const failedByCrash = jobs.filter((job) => job.status === 'failed').length;
      const stuck = jobs.filter((job) => job.status === 'pending' || job.status === 'running').length;
      const codes = [...new Set(jobs.filter((j) => j.status === 'failed').map((j) => j.errorCode ?? '?'))];
      return {
        figures: [
          { name: 'jobs', value: jobs.length },
          { name: 'workers killed (SIGKILL)', value: killedAt.size },
          { name: 'runs cut short by a kill', value: analysis.rerunDelaysMs.length },
          { name: 'jobs completed', value: completed, expect: jobs.length },
          { name: 'jobs lost (not finished at the end)', value: stuck, expect: 0 },
          { name: 'overlapping runs', value: analysis.overlaps, expect: 0 },
          { name: 'jobs failed by crashes alone', value: failedByCrash, expect: 0 },
          {
            name: 'kill → re-run p50',
            value: Math.round(percentile(analysis.rerunDelaysMs, 0.5)),
            unit: 'ms',
          },
          {
            name: 'kill → re-run p99',
            value: Math.round(percentile(analysis.rerunDelaysMs, 0.99)),
            unit: 'ms',
          },
          { name: 'last kill → queue drained', value: Math.round(drainMs / 100) / 10, unit: 's' },
        ],
        notes: [
          `lease ${LEASE_SECONDS} s, MAX_RETRIES and WORKER_PREFETCH at their defaults (a re-run waits behind the jobs live workers claimed ahead)` +
            (codes.length > 0 ? `; failed with ${codes.join(', ')}` : ''),
          ...(analysis.openRuns > 0
            ? [`${analysis.openRuns} runs ended by a lapsed lease on a live worker`]
            : []),
        ],
      };
    } finally {
      await d.close();
    }
  },
};
