/**
 * Enqueue: sequential single adds per second (each awaited before the next), and one bulk add of
 * 20,000 jobs in each system's bulk call; PostgreSQL's one-row commit as the reference ceiling.
 */
import { msSince, nowNs } from '../lib/clock.js';
import { Recorder } from '../lib/results.js';
import type { QueueSystem } from '../systems/types.js';
import { systemsFor, type Scenario, type ScenarioContext } from './types.js';

async function enqueueOnce(
  system: QueueSystem,
  context: ScenarioContext,
  recorder: Recorder,
): Promise<string> {
  const { sequentialAdds, bulkAdds } = context.options.sizes;
  const store = await system.open();
  try {
    const started = nowNs();
    for (let i = 0; i < sequentialAdds; i++) await store.addOne('noop');
    const single = sequentialAdds / (msSince(started) / 1000);
    recorder.record(system, 'sequential adds/s', 'adds/s', 'higher', single);
    if (!system.scenarios.includes('enqueue')) return `${single.toFixed(0)} adds/s`;
    const bulkStarted = nowNs();
    await store.addMany(bulkAdds, 'noop');
    const bulk = bulkAdds / (msSince(bulkStarted) / 1000);
    recorder.record(system, `bulk add of ${bulkAdds.toLocaleString('en')}, jobs/s`, 'jobs/s', 'higher', bulk);
    return `${single.toFixed(0)} adds/s, bulk ${bulk.toFixed(0)} jobs/s`;
  } finally {
    await store.close();
  }
}

export const enqueueScenario: Scenario = {
  id: 'enqueue',
  title: 'Enqueue',
  async run(context) {
    const recorder = new Recorder();
    const { runs, sequentialAdds } = context.options.sizes;
    const systems = [
      ...new Set([...systemsFor(context, 'enqueue'), ...systemsFor(context, 'enqueue-single')]),
    ];
    for (let run = 1; run <= runs; run++) {
      for (const system of systems) {
        const figures = await enqueueOnce(system, context, recorder);
        context.log(`enqueue run ${run}/${runs} ${system.id}: ${figures}`);
      }
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `${sequentialAdds.toLocaleString('en')} sequential adds from the bench process (reelqueue: app.enqueue; graphile-worker: addJob; pg-boss: send; BullMQ: queue.add), then one bulk add (enqueueMany, addJobs, insert, addBulk).`,
        'The ceiling is a prepared `INSERT INTO rows (payload) VALUES ($1)` per call on one connection, each its own commit (synchronous_commit on).',
      ],
      measurements: recorder.summarize(),
    };
  },
};
