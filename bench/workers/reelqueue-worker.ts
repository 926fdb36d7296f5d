/**
 * A reelqueue worker process for the pickup scenario: `createReelqueue` + `app.createWorker()` with
 * the ping kind, whose handler reports its start time. On SQLite the parent may ask this process to
 * add each job itself ({type: 'add'}): the in-process wake-up, beside the one across processes
 * (the wake file) that `reelqueue (SQLite, producer in another process)` measures.
 */
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { nowNs } from '../lib/clock.js';
import { PING_KIND, pingKind } from './ping-kind.js';
import { exitOnSignal, report, reportPickup } from './report.js';

const config = loadConfig(process.env, { WORKER_CONCURRENCY: process.env.BENCH_CONCURRENCY });
const app = await createReelqueue(config, { kinds: [pingKind((startedNs) => reportPickup(startedNs))] });
const worker = app.createWorker();
worker.start();

process.on('message', (message: { type?: string }) => {
  if (message.type !== 'add') return;
  app.enqueue({ kind: PING_KIND }).then(
    () => report({ type: 'added', t: nowNs().toString() }),
    (error: unknown) => report({ type: 'error', message: String(error) }),
  );
});
exitOnSignal(async () => {
  await worker.stop();
  await app.close();
});
report({ type: 'worker_started' });
