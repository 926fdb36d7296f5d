/**
 * One job whose worker is killed with SIGKILL three times in a row, with the default retry limit
 * (MAX_RETRIES=2). A worker dying is not the job's fault: the job should still complete on the next
 * worker, not end `failed WORKER_LOST` because crashes used up its retries.
 */
import { ALL_JOBS } from '../../../src/jobs/store.js';
import { waitFor } from '../../../test/support/wait.js';
import type { WorkerProcess } from '../../../test/support/worker-process.js';
import { openDeployment } from '../deployment.js';
import type { ChaosScenario } from '../scenario.js';

const KILLS = 3;
const settings = {
  LEASE_SECONDS: '2',
  HEARTBEAT_SECONDS: '0.4',
  REAPER_INTERVAL_SECONDS: '0.5',
  POLL_INTERVAL_MS: '200',
};

export const crashRetries: ChaosScenario = {
  id: 'crash-retries',
  title: 'One job whose worker is killed three times',
  dbs: ['sqlite', 'postgres'],
  async run({ target }) {
    const d = await openDeployment(target, settings);
    try {
      const alive: WorkerProcess[] = [await d.startWorker(), await d.startWorker()];
      const { job } = await d.app.enqueue({ kind: 'sleep', payload: { ms: 8000 } });
      let kills = 0;
      const replacements: Promise<void>[] = [];
      for (; kills < KILLS; kills++) {
        const holder = await waitFor(
          async () => {
            const row = await d.app.jobs.get(job.id, ALL_JOBS);
            if (!row || (row.status !== 'running' && row.status !== 'pending')) return 'ended';
            return (
              alive.find((worker) => row.status === 'running' && worker.workerId === row.workerId) ?? null
            );
          },
          { timeoutMs: 60_000, what: 'a worker to run the job' },
        );
        if (holder === 'ended') break;
        alive.splice(alive.indexOf(holder), 1);
        await holder.killHard();
        // The replacement joins when it has started; the surviving worker can take the job meanwhile.
        replacements.push(d.startWorker().then((worker) => void alive.push(worker)));
      }
      await Promise.all(replacements);
      const end = await waitFor(
        async () => {
          const row = await d.app.jobs.get(job.id, ALL_JOBS);
          return row && row.status !== 'running' && row.status !== 'pending' ? row : null;
        },
        { timeoutMs: 60_000, what: 'the job to end' },
      );
      return {
        figures: [
          { name: 'kills of the worker running the job', value: kills },
          { name: 'job outcome', value: end.errorCode ? `${end.status} ${end.errorCode}` : end.status },
          { name: 'job failed by crashes alone', value: end.status === 'completed' ? 0 : 1, expect: 0 },
          { name: 'attempts / retries used', value: `${end.attempt} / ${end.retryCount}` },
        ],
        notes: ['MAX_RETRIES at its default (2), lease 2 s'],
      };
    } finally {
      await d.close();
    }
  },
};
