/** Every queue the benchmarks know, in table order: reelqueue first, then the peers. */
import { bullmq } from './bullmq.js';
import { graphileWorker, graphileWorkerBatched } from './graphile-worker.js';
import { pgBoss } from './pg-boss.js';
import { postgresCeiling } from './postgres-ceiling.js';
import { reelqueuePostgres, reelqueueSqlite, reelqueueSqliteCrossProcess } from './reelqueue.js';
import type { QueueSystem } from './types.js';

export const SYSTEMS: readonly QueueSystem[] = [
  reelqueuePostgres,
  reelqueueSqlite,
  reelqueueSqliteCrossProcess,
  graphileWorker,
  graphileWorkerBatched,
  pgBoss,
  bullmq,
  postgresCeiling,
];
