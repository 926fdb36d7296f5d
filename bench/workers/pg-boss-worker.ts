/**
 * A pg-boss worker process. pg-boss 10 has no per-worker concurrency setting: concurrency N is N
 * `work()` loops, each fetching a batch (BENCH_PGBOSS_BATCH, default 500 like graphile-worker's local
 * queue) and running its jobs one after another, polling at the minimum interval pg-boss allows
 * (0.5 s). A loop sleeps out the rest of its interval even after a full batch, so small batches cap
 * throughput at N × batch / 0.5 s (batch 100 gave ~2,000 jobs/s at N = 10; 500 gave ~14,000).
 */
import PgBoss from 'pg-boss';
import { nowNs } from '../lib/clock.js';
import { PG_BOSS_QUEUE } from '../systems/pg-boss.js';
import { exitOnSignal, report, reportPickup, requiredEnv } from './report.js';

const pickup = requiredEnv('BENCH_MODE') === 'pickup';
const concurrency = Number(requiredEnv('BENCH_CONCURRENCY'));
const batchSize = pickup ? 1 : Number(process.env.BENCH_PGBOSS_BATCH ?? 500);

const boss = new PgBoss({
  connectionString: requiredEnv('BENCH_DATABASE_URL'),
  schema: requiredEnv('BENCH_SCHEMA'),
  migrate: false,
});
boss.on('error', (error) => console.error('pg-boss (worker):', error));
await boss.start();
for (let i = 0; i < concurrency; i++) {
  await boss.work(PG_BOSS_QUEUE, { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    for (const _job of jobs) {
      if (pickup) reportPickup(nowNs());
    }
  });
}
exitOnSignal(() => boss.stop({ graceful: false, wait: true }));
report({ type: 'worker_started' });
