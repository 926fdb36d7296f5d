/**
 * One worker process of the fleet scenario, run from the build (dist/) rather than through tsx, so
 * that a hundred of them start in seconds: `createReelqueue` and one `Worker` (as `reelqueue worker`
 * runs it, with its reaper: the fleet's crash round needs the killed processes' jobs recovered) whose
 * store counts the claims it makes and those that came back empty. Its kind sleeps
 * `payload.ms` and, when `payload.report` is set, reports the time it started (CLOCK_MONOTONIC).
 * The parent asks for the claim counts with {type: 'stats'} (they restart from zero).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createReelqueue } from '../../dist/app.js';
import { loadConfig } from '../../dist/config.js';
import { Worker } from '../../dist/jobs/worker.js';

const send = (message) => process.send?.(message);
const config = loadConfig(process.env);
const fleetKind = {
  name: 'fleet_sleep',
  parsePayload: (input) => (typeof input === 'object' && input !== null ? input : {}),
  async run({ payload }) {
    if (payload.report) send({ type: 'pickup', t: process.hrtime.bigint().toString() });
    await sleep(typeof payload.ms === 'number' ? payload.ms : 5);
    return {};
  },
};
const app = await createReelqueue(config, { kinds: [fleetKind], defaultKinds: false, waitForDatabase: true });
let claims = 0;
let emptyClaims = 0;
const countingStore = new Proxy(app.jobs, {
  get(target, property) {
    const value = Reflect.get(target, property, target);
    if (property !== 'claim') return typeof value === 'function' ? value.bind(target) : value;
    return async (request) => {
      claims++;
      const jobs = await target.claim(request);
      if (jobs.length === 0) emptyClaims++;
      return jobs;
    };
  },
});
const worker = new Worker({
  store: countingStore,
  registry: app.kinds,
  logger: app.logger,
  kinds: ['fleet_sleep'],
  concurrency: config.workerConcurrency,
  prefetchLimit: config.workerPrefetch,
  prefetchWindowMs: config.workerPrefetchWindowMs,
  heartbeatSeconds: config.heartbeatSeconds,
  leaseSeconds: config.leaseSeconds,
  pollIntervalMs: config.pollIntervalMs,
  shutdownGraceSeconds: config.shutdownGraceSeconds,
  abortGraceSeconds: config.abortGraceSeconds,
  retryPolicy: { delaysSeconds: config.retryDelaysSeconds, jitter: config.retryJitter },
});
const reaper = app.createReaper();
reaper.start();
worker.start();

process.on('message', (message) => {
  if (message?.type !== 'stats') return;
  send({ type: 'stats', claims, emptyClaims });
  claims = 0;
  emptyClaims = 0;
});
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  worker
    .stop(2)
    .then(() => reaper.stop())
    .then(() => app.close())
    .catch((error) => console.error(error))
    .finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
send({ type: 'worker_started', workerId: worker.id });
