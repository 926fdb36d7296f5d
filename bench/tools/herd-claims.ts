/**
 * The thundering herd in one process (issue 29): N idle `Worker`s on one PostgreSQL schema (one
 * LISTEN session, shared, as `serve` with SERVE_WORKERS does), jobs added one at a time; each job's
 * pickup (ms from the enqueue returning to a handler starting) and every claim the workers make,
 * counted through the store. `--every-worker` makes every worker answer every wake-up, as before
 * the wake-up lottery, for the same run's before/after. Cheaper than the fleet scenario (no process
 * per worker) and the same claims: the lottery is per worker, not per process.
 *
 *   npx tsx bench/tools/herd-claims.ts [--workers 1,10,100] [--jobs 100] [--poll-ms 1000] [--every-worker]
 */
import { parseArgs } from 'node:util';
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ALL_JOBS, type JobStore } from '../../src/jobs/store.js';
import { WakeUpLottery } from '../../src/jobs/wake-up-lottery.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/logger.js';
import { msSince, nowNs, sleep } from '../lib/clock.js';
import { dropSchema, POSTGRES_URL, uniqueName } from '../lib/services.js';
import { percentile } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,10,100' },
    jobs: { type: 'string', default: '100' },
    'poll-ms': { type: 'string', default: '1000' },
    'every-worker': { type: 'boolean', default: false },
  },
});
const jobs = Number(values.jobs);
const pollMs = Number(values['poll-ms']);

/** Answers every wake-up: the workers before the lottery. */
class EveryWakeUp extends WakeUpLottery {
  override answers(): boolean {
    return true;
  }
}

async function measure(workerCount: number) {
  const schema = uniqueName('herd');
  const app = await createReelqueue(
    loadConfig({}, { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema, LOG_LEVEL: 'silent' }),
    { logger: silentLogger(), defaultKinds: false },
  );
  let claims = 0;
  const counting = new Proxy(app.jobs, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'claim') {
        return (...args: Parameters<JobStore['claim']>) => {
          claims++;
          return target.claim(...args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const started = new Map<string, bigint>();
  const workers = Array.from({ length: workerCount }, () => {
    const worker = new Worker({
      store: counting,
      registry: app.kinds,
      logger: silentLogger(),
      kinds: ['noop'],
      concurrency: 2,
      prefetchLimit: 500,
      prefetchWindowMs: 50,
      heartbeatSeconds: 5,
      leaseSeconds: 30,
      pollIntervalMs: pollMs,
      shutdownGraceSeconds: 1,
      abortGraceSeconds: 1,
      retryPolicy: { delaysSeconds: [0], jitter: 0 },
      ...(values['every-worker'] ? { lottery: new EveryWakeUp() } : {}),
    });
    worker.on('started', (job) => started.set(job.id, nowNs()));
    worker.start();
    return worker;
  });
  try {
    // Warm-up: start-up claims, the LISTEN session, the pools; not measured.
    for (let i = 0; i < 10; i++) {
      const { job } = await app.enqueue({ kind: 'noop' });
      while ((await app.jobs.get(job.id, ALL_JOBS))?.status !== 'completed') await sleep(5);
    }
    await sleep(200);
    claims = 0;
    const pickups: number[] = [];
    const since = nowNs();
    for (let i = 0; i < jobs; i++) {
      const { job } = await app.enqueue({ kind: 'noop' });
      const added = nowNs();
      while ((await app.jobs.get(job.id, ALL_JOBS))?.status !== 'completed') await sleep(2);
      pickups.push(msSince(added, started.get(job.id) ?? added));
    }
    const seconds = msSince(since, nowNs()) / 1000;
    const perJob = claims / jobs;
    // What the polls alone cost meanwhile: each worker polls about once per interval.
    const pollsPerJob = (workerCount * seconds * 1000) / pollMs / jobs;
    return {
      workerCount,
      perJob,
      pollsPerJob,
      p50: percentile(pickups, 0.5),
      p99: percentile(pickups, 0.99),
      chance: Math.min(...workers.map((worker) => worker.wakeUpChance)),
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop(0)));
    await app.close();
    await dropSchema(schema);
  }
}

for (const count of values.workers.split(',').map(Number)) {
  const r = await measure(count);
  console.log(
    `${values['every-worker'] ? 'every worker answers' : 'lottery'}: ${r.workerCount} idle workers, ${jobs} jobs one at a time, poll ${pollMs} ms: claims/job ${r.perJob.toFixed(2)} (of which polls ≈ ${r.pollsPerJob.toFixed(2)}), pickup p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} ms, lowest chance ${r.chance.toFixed(3)}`,
  );
}
