/**
 * Processing throughput: N no-op jobs added in bulk, then drained by one worker process at a given
 * concurrency; jobs/s from the worker's "started" message until the store shows none unfinished.
 */
import { WorkerProcess } from '../lib/child-process.js';
import { msSince, nowNs } from '../lib/clock.js';
import { waitUntilDrained } from '../lib/drain.js';
import { Recorder } from '../lib/results.js';
import type { QueueSystem } from '../systems/types.js';
import { systemsFor, type Scenario, type ScenarioContext } from './types.js';

async function drainOnce(
  system: QueueSystem,
  jobs: number,
  concurrency: number,
  context: ScenarioContext,
): Promise<number> {
  const store = await system.open();
  try {
    await store.addMany(jobs, 'noop');
    const worker = new WorkerProcess(
      store.worker({ mode: 'throughput', concurrency, nodeFlags: context.nodeFlags }),
    );
    try {
      await worker.next('worker_started');
      const started = nowNs();
      const ended = await waitUntilDrained(() => store.unfinished(), jobs, 60_000 + jobs * 5);
      return jobs / (msSince(started, ended) / 1000);
    } finally {
      await worker.stop();
    }
  } finally {
    await store.close();
  }
}

export const throughputScenario: Scenario = {
  id: 'throughput',
  title: 'Processing throughput (no-op jobs, one worker process)',
  async run(context) {
    const { runs, throughputJobs: jobs, throughputConcurrency } = context.options.sizes;
    const recorder = new Recorder();
    for (const concurrency of throughputConcurrency) {
      for (let run = 1; run <= runs; run++) {
        for (const system of systemsFor(context, 'throughput')) {
          const rate = await drainOnce(system, jobs, concurrency, context);
          context.log(
            `throughput c=${concurrency} run ${run}/${runs} ${system.id}: ${rate.toFixed(0)} jobs/s`,
          );
          recorder.record(system, `jobs/s, concurrency ${concurrency}`, 'jobs/s', 'higher', rate);
        }
      }
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `${jobs.toLocaleString('en')} no-op jobs added in bulk into a fresh schema / SQLite file / Redis queue, then drained by one worker process; runs interleave the systems.`,
        'reelqueue: `node dist/cli/main.js worker -c N` (LOG_LEVEL=warn, default pool of 10). graphile-worker batched: localQueue 500, completeJobBatchDelay 0. pg-boss: N `work()` loops, batchSize 500, polling 0.5 s (its best setting here; batch 100 caps it near 2,000 jobs/s). BullMQ: Worker with concurrency N, defaults (completed jobs kept).',
      ],
      measurements: recorder.summarize(),
    };
  },
};
