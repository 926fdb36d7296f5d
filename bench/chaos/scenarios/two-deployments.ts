/**
 * Two reelqueue deployments on one host (two databases, one temp folder): the first renders while
 * the second starts and stops its worker over and over. Whatever the second does at start-up must
 * not touch the first one's renders: every render completes, on its first attempt.
 */
import { ALL_JOBS } from '../../../src/jobs/store.js';
import { waitFor } from '../../../test/support/wait.js';
import { openDeployment } from '../deployment.js';
import { SMALL_LESSON } from '../lessons.js';
import type { ChaosScenario } from '../scenario.js';

const settings = { HEARTBEAT_SECONDS: '0.5', LEASE_SECONDS: '10', POLL_INTERVAL_MS: '100' };

export const twoDeployments: ChaosScenario = {
  id: 'two-deployments',
  title: 'Two deployments on one host: one restarting while the other renders',
  dbs: ['sqlite', 'postgres'],
  async run({ target, sizes }) {
    const rendering = await openDeployment(target, settings);
    const restarting = await openDeployment(target, settings);
    try {
      await rendering.startWorker(['--concurrency', '2']);
      const queued = await rendering.app.enqueueMany(
        Array.from({ length: sizes.renders }, () => ({ kind: 'presentation', payload: SMALL_LESSON })),
      );
      const ids = queued.map((result) => result.job.id);
      const finished = async () => {
        const jobs = await Promise.all(ids.map((id) => rendering.app.jobs.get(id, ALL_JOBS)));
        return jobs.every((job) => job && job.status !== 'pending' && job.status !== 'running');
      };
      let restarts = 0;
      const deadline = Date.now() + 300_000;
      while (!(await finished()) && Date.now() < deadline) {
        const other = await restarting.startWorker(['--concurrency', '1']);
        await other.stop();
        restarting.workers.splice(restarting.workers.indexOf(other), 1);
        restarts += 1;
      }
      await waitFor(finished, { timeoutMs: 60_000, what: 'every render to finish' }).catch(() => undefined);
      const jobs = await Promise.all(ids.map((id) => rendering.app.jobs.get(id, ALL_JOBS)));
      const completed = jobs.filter((job) => job?.status === 'completed').length;
      const extraAttempts = jobs.reduce((sum, job) => sum + Math.max(0, (job?.attempt ?? 1) - 1), 0);
      const codes = [...new Set(jobs.flatMap((job) => (job?.errorCode ? [job.errorCode] : [])))];
      const events = (await Promise.all(ids.map((id) => rendering.events(id)))).flat();
      const failedAttempts = events.filter((e) => e.type === 'retry_scheduled' || e.type === 'failed').length;
      return {
        figures: [
          { name: 'renders', value: ids.length },
          { name: 'starts of the other deployment meanwhile', value: restarts },
          { name: 'renders completed', value: completed, expect: ids.length },
          { name: 'renders lost (failed)', value: ids.length - completed, expect: 0 },
          { name: 'attempts lost (failed and retried)', value: failedAttempts, expect: 0 },
          { name: 'renders that needed more than one attempt', value: extraAttempts, expect: 0 },
        ],
        notes: codes.length > 0 ? [`error codes seen: ${codes.join(', ')}`] : [],
      };
    } finally {
      await restarting.close();
      await rendering.close();
    }
  },
};
