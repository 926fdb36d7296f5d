/**
 * Cancel a render while ffmpeg encodes it: the worker must kill its child processes, remove the
 * job's work folder and end the job `cancelled`. Measures the time from the cancel request until no
 * child process of the worker remains.
 */
import { ALL_JOBS } from '../../../src/jobs/store.js';
import { percentile } from '../../lib/stats.js';
import { waitFor } from '../../../test/support/wait.js';
import { openDeployment } from '../deployment.js';
import { LONG_LESSON, workFoldersOf } from '../lessons.js';
import { descendants } from '../processes.js';
import type { ChaosScenario } from '../scenario.js';

export const cancelFfmpeg: ChaosScenario = {
  id: 'cancel-ffmpeg',
  title: 'Cancel during ffmpeg',
  dbs: ['sqlite', 'postgres'],
  async run({ target, sizes, log }) {
    const d = await openDeployment(target, {
      HEARTBEAT_SECONDS: '0.5',
      LEASE_SECONDS: '10',
      POLL_INTERVAL_MS: '100',
    });
    try {
      const worker = await d.startWorker(['--concurrency', '1']);
      const childGoneMs: number[] = [];
      const cancelledMs: number[] = [];
      let notCancelled = 0;
      let leftFolders = 0;
      let missedEncode = 0;
      for (let i = 0; i < sizes.cancels; i++) {
        const { job } = await d.app.enqueue({ kind: 'presentation', payload: LONG_LESSON, maxRetries: 0 });
        const encoding = await waitFor(
          async () => {
            if (descendants(worker.pid).some((p) => p.name.includes('ffmpeg'))) {
              const row = await d.app.jobs.get(job.id, ALL_JOBS);
              if (row?.stage === 'encode') return true;
            }
            const row = await d.app.jobs.get(job.id, ALL_JOBS);
            return row && row.status !== 'pending' && row.status !== 'running'
              ? `${row.status} ${row.errorCode ?? ''}`.trim()
              : null;
          },
          { timeoutMs: 120_000, intervalMs: 10, what: 'ffmpeg to encode' },
        );
        if (encoding !== true) {
          missedEncode += 1;
          log(`the render ended (${encoding}) before ffmpeg was seen encoding`);
          continue;
        }
        const askedAt = Date.now();
        await d.app.jobs.cancel(job.id, 'chaos: cancel during ffmpeg', ALL_JOBS);
        await waitFor(() => descendants(worker.pid).length === 0, {
          timeoutMs: 30_000,
          intervalMs: 5,
          what: 'the worker to have no child process',
        }).catch(() => undefined);
        childGoneMs.push(Date.now() - askedAt);
        const ended = await waitFor(
          async () => {
            const row = await d.app.jobs.get(job.id, ALL_JOBS);
            return row && row.status !== 'running' && row.status !== 'pending' ? row : null;
          },
          { timeoutMs: 30_000, intervalMs: 10, what: 'the job to end' },
        );
        cancelledMs.push(Date.now() - askedAt);
        if (ended.status !== 'cancelled') notCancelled += 1;
        if (workFoldersOf(job.id).length > 0) leftFolders += 1;
      }
      return {
        figures: [
          {
            name: 'renders cancelled while ffmpeg encoded',
            value: childGoneMs.length,
            expect: sizes.cancels,
          },
          {
            name: 'cancel → no child process left (p50)',
            value: Math.round(percentile(childGoneMs, 0.5)),
            unit: 'ms',
          },
          {
            name: 'cancel → no child process left (max)',
            value: Math.round(Math.max(...childGoneMs, 0)),
            unit: 'ms',
          },
          {
            name: 'cancel → job cancelled (max)',
            value: Math.round(Math.max(...cancelledMs, 0)),
            unit: 'ms',
          },
          { name: 'jobs that did not end cancelled', value: notCancelled, expect: 0 },
          { name: 'work folders left behind', value: leftFolders, expect: 0 },
          { name: 'worker alive at the end', value: worker.exited ? 'no' : 'yes' },
        ],
        notes: missedEncode > 0 ? [`${missedEncode} renders ended before ffmpeg was seen`] : [],
      };
    } finally {
      await d.close();
    }
  },
};
