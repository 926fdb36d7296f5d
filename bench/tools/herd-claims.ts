/**
 * The thundering herd in one process (issue 29): N idle `Worker`s on one PostgreSQL schema (one
 * LISTEN session, shared, as `serve` with SERVE_WORKERS does), jobs added one at a time; each job's
 * pickup (ms from the enqueue returning to a handler starting) and every claim the workers make,
 * counted through the store. `--every-worker` makes every worker answer every wake-up, as before
 * the wake-up lottery, for the same run's before/after. Cheaper than the fleet scenario (no process
 * per worker) and the same claims: the lottery is per worker, not per process.
 *
 * Each claim is counted by why the worker made it (`Worker.claimsByReason`: answering a counted
 * wake-up, an uncounted one, its poll, its handler returning, start-up, its last claim filling the
 * room it asked for); `Σ chance` is the answers a one-job wake-up draws, averaged over the jobs. A
 * fleet starts answering every wake-up and learns its chance from its losses: with 100 workers that
 * takes a few hundred jobs (`--warm-up`, not measured), and answers per job fall from about 4.5
 * over the first hundred to about 2.7 after.
 *
 * `--due-ms N`: each measured job is queued with a `run_at` N ms ahead by a process of its own
 * (another app on the schema) that closes at once, its timer with it, as if it had stopped: the
 * workers' own due timers find it (issue 29). Pickup is then from its `run_at` to its start, both
 * by the database's clock.
 *
 *   npx tsx bench/tools/herd-claims.ts [--workers 1,10,100] [--jobs 100] [--poll-ms 1000] [--warm-up 10] [--every-worker] [--due-ms 500]
 */
import { parseArgs } from 'node:util';
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ALL_JOBS, type JobStore } from '../../src/jobs/store.js';
import { WakeUpLottery } from '../../src/jobs/wake-up-lottery.js';
import { Worker, type ClaimReason } from '../../src/jobs/worker.js';
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
    'warm-up': { type: 'string', default: '10' },
    'due-ms': { type: 'string', default: '0' },
  },
});
const dueMs = Number(values['due-ms']);
const jobs = Number(values.jobs);
const pollMs = Number(values['poll-ms']);
const warmUp = Number(values['warm-up']);

/** Answers every wake-up: the workers before the lottery. */
class EveryWakeUp extends WakeUpLottery {
  override answers(): boolean {
    return true;
  }
}

/** The fleet's claims by reason (Worker.claimsByReason), summed. */
function claimsByReason(workers: readonly Worker[]): Map<ClaimReason, number> {
  const sums = new Map<ClaimReason, number>();
  for (const worker of workers) {
    for (const [reason, count] of Object.entries(worker.claimsByReason) as [ClaimReason, number][]) {
      sums.set(reason, (sums.get(reason) ?? 0) + count);
    }
  }
  return sums;
}

async function measure(workerCount: number) {
  const schema = uniqueName('herd');
  const settings = { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema, LOG_LEVEL: 'silent' };
  const app = await createReelqueue(loadConfig({}, settings), {
    logger: silentLogger(),
    defaultKinds: false,
  });
  /** Queues a job due `dueMs` ahead from a process of its own, closed at once (its timer with it). */
  const dueJob = async (): Promise<string> => {
    const writer = await createReelqueue(loadConfig({}, settings), {
      logger: silentLogger(),
      defaultKinds: false,
    });
    try {
      const { job } = await writer.enqueue({ kind: 'noop', runAt: new Date(Date.now() + dueMs) });
      return job.id;
    } finally {
      await writer.close();
    }
  };
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
    for (let i = 0; i < warmUp; i++) {
      const { job } = await app.enqueue({ kind: 'noop' });
      while ((await app.jobs.get(job.id, ALL_JOBS))?.status !== 'completed') await sleep(5);
    }
    await sleep(200);
    claims = 0;
    const before = claimsByReason(workers);
    const heard: string[] = [];
    const unsubscribe = app.jobs.onJobAvailable((announced) =>
      heard.push(announced ? `${announced.count}:${announced.kind ?? ''}` : 'uncounted'),
    );
    const pickups: number[] = [];
    let chanceSum = 0;
    for (let i = 0; i < jobs; i++) {
      chanceSum += workers.reduce((sum, worker) => sum + worker.wakeUpChance, 0);
      if (dueMs > 0) {
        const id = await dueJob();
        let done = await app.jobs.get(id, ALL_JOBS);
        while (done?.status !== 'completed') {
          await sleep(2);
          done = await app.jobs.get(id, ALL_JOBS);
        }
        pickups.push((done.startedAt?.getTime() ?? NaN) - done.runAt.getTime());
        continue;
      }
      const { job } = await app.enqueue({ kind: 'noop' });
      const added = nowNs();
      while ((await app.jobs.get(job.id, ALL_JOBS))?.status !== 'completed') await sleep(2);
      pickups.push(msSince(added, started.get(job.id) ?? added));
    }
    unsubscribe();
    const wakeUps = new Map<string, number>();
    for (const payload of heard) wakeUps.set(payload, (wakeUps.get(payload) ?? 0) + 1);
    const reasons = [...claimsByReason(workers)]
      .map(([reason, count]) => [reason, (count - (before.get(reason) ?? 0)) / jobs] as const)
      .filter(([, perJob]) => perJob > 0);
    const perJob = claims / jobs;
    return {
      workerCount,
      perJob,
      p50: percentile(pickups, 0.5),
      p99: percentile(pickups, 0.99),
      chance: Math.min(...workers.map((worker) => worker.wakeUpChance)),
      // The answers a one-job wake-up draws on average (Σ chance before each job).
      expectedAnswers: chanceSum / jobs,
      reasons,
      wakeUps,
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
    `${values['every-worker'] ? 'every worker answers' : 'lottery'}: ${r.workerCount} idle workers, ${jobs} jobs one at a time${dueMs > 0 ? `, each due ${dueMs} ms after its writer closed (pickup from run_at)` : ''}, poll ${pollMs} ms: claims/job ${r.perJob.toFixed(2)}, pickup p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} ms, lowest chance ${r.chance.toFixed(3)}`,
  );
  console.log(`  Σ chance ${r.expectedAnswers.toFixed(2)}`);
  console.log(
    `  wake-ups heard (count:kind × times): ${[...r.wakeUps].map(([w, n]) => `${w} × ${n}`).join(', ')}`,
  );
  console.log(
    `  claims/job by reason: ${r.reasons.map(([reason, perJob]) => `${reason} ${perJob.toFixed(2)}`).join(', ')}`,
  );
}
