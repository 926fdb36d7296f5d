/**
 * Pickup latency: an idle worker process; jobs added one after another, each once the previous one
 * finished; ms from the add call returning to the handler starting (both read CLOCK_MONOTONIC).
 */
import { WorkerProcess } from '../lib/child-process.js';
import { msSince, sleep } from '../lib/clock.js';
import { waitUntilIdle } from '../lib/drain.js';
import { Recorder } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import type { QueueStore, QueueSystem } from '../systems/types.js';
import { systemsFor, type Scenario, type ScenarioContext } from './types.js';

const CONCURRENCY = 10;
const WARM_UP = 5;

async function pickupOnce(store: QueueStore, worker: WorkerProcess): Promise<number> {
  const picked = worker.next('pickup', 30_000);
  let addedNs: bigint;
  if (store.embeddedProducer) {
    const added = worker.next('added', 30_000);
    worker.send({ type: 'add' });
    addedNs = BigInt((await added).t as string);
  } else {
    await store.addOne('ping');
    addedNs = process.hrtime.bigint();
  }
  const startedNs = BigInt((await picked).t as string);
  await waitUntilIdle(() => store.unfinished());
  await sleep(2);
  return msSince(addedNs, startedNs);
}

async function measure(system: QueueSystem, context: ScenarioContext): Promise<number[]> {
  const store = await system.open();
  try {
    const worker = new WorkerProcess(
      store.worker({ mode: 'pickup', concurrency: CONCURRENCY, nodeFlags: context.nodeFlags }),
    );
    try {
      await worker.next('worker_started');
      await sleep(500);
      const { pickupJobs, pickupJobsPolling } = context.options.sizes;
      const count = store.pollsOnly ? pickupJobsPolling : pickupJobs;
      for (let i = 0; i < WARM_UP; i++) await pickupOnce(store, worker);
      const samples: number[] = [];
      for (let i = 0; i < count; i++) samples.push(await pickupOnce(store, worker));
      return samples;
    } finally {
      await worker.stop();
    }
  } finally {
    await store.close();
  }
}

export const pickupScenario: Scenario = {
  id: 'pickup',
  title: 'Pickup latency (idle worker, one job at a time)',
  async run(context) {
    const recorder = new Recorder();
    const { runs } = context.options.sizes;
    for (let run = 1; run <= runs; run++) {
      for (const system of systemsFor(context, 'pickup')) {
        const samples = await measure(system, context);
        const [p50, p95, p99] = [0.5, 0.95, 0.99].map((p) => percentile(samples, p)) as [
          number,
          number,
          number,
        ];
        context.log(
          `pickup run ${run}/${runs} ${system.id}: p50 ${p50.toFixed(2)} p95 ${p95.toFixed(2)} p99 ${p99.toFixed(2)} ms (${samples.length} jobs)`,
        );
        recorder.record(system, 'p50', 'ms', 'lower', p50);
        recorder.record(system, 'p95', 'ms', 'lower', p95);
        recorder.record(system, 'p99', 'ms', 'lower', p99);
      }
    }
    const { pickupJobs, pickupJobsPolling } = context.options.sizes;
    return {
      id: this.id,
      title: this.title,
      notes: [
        `${pickupJobs} jobs per run (${pickupJobsPolling} for polling-only systems: pg-boss at its 0.5 s minimum), after ${WARM_UP} warm-up jobs; worker concurrency ${CONCURRENCY}; the next job is added once the store shows the previous one finished.`,
        'The producer is the bench process, except reelqueue (SQLite), where the worker process adds each job itself when asked (the in-process wake-up); reelqueue (SQLite, producer in another process) is woken through the wake file beside the database. A handler may start before the add call returns: such samples are negative.',
      ],
      measurements: recorder.summarize(),
    };
  },
};
