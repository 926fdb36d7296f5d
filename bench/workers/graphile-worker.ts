/** A graphile-worker process for the benchmarks (BENCH_BATCHED=1: local queue + batched completion). */
import { run, type Task } from 'graphile-worker';
import { nowNs } from '../lib/clock.js';
import { silentGraphileLogger } from '../systems/graphile-worker.js';
import { exitOnSignal, report, reportPickup, requiredEnv } from './report.js';

const batched = process.env.BENCH_BATCHED === '1';
const noop: Task = async () => undefined;
const ping: Task = async () => reportPickup(nowNs());

const runner = await run({
  connectionString: requiredEnv('BENCH_DATABASE_URL'),
  schema: requiredEnv('BENCH_SCHEMA'),
  concurrency: Number(requiredEnv('BENCH_CONCURRENCY')),
  noHandleSignals: true,
  logger: silentGraphileLogger,
  taskList: { noop, ping },
  ...(batched
    ? { preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } }
    : {}),
});
exitOnSignal(() => runner.stop());
report({ type: 'worker_started' });
