/** A BullMQ worker process with its defaults and the given concurrency. */
import { Worker } from 'bullmq';
import { nowNs } from '../lib/clock.js';
import { redisConnection } from '../lib/services.js';
import { exitOnSignal, report, reportPickup, requiredEnv } from './report.js';

const pickup = requiredEnv('BENCH_MODE') === 'pickup';
const worker = new Worker(
  requiredEnv('BENCH_QUEUE'),
  async () => {
    if (pickup) reportPickup(nowNs());
  },
  { connection: redisConnection(), concurrency: Number(requiredEnv('BENCH_CONCURRENCY')) },
);
worker.on('error', (error) => console.error('bullmq (worker):', error));
await worker.waitUntilReady();
exitOnSignal(() => worker.close());
report({ type: 'worker_started' });
