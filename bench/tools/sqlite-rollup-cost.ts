/**
 * What the statistics rollups' triggers cost a SQLite drain, A/B in one process: each round makes
 * two fresh SQLite files, one with the rollup triggers of migration 0028 dropped, enqueues N no-op
 * jobs and drains them through the store (claim 200, completeMany, as a worker's loop does), folding
 * the deltas every 2,000 jobs as the folder would; it reports the process CPU time (user + system)
 * per job of each. Rounds alternate the order, so the machine's drift falls on both alike.
 *
 *   npx tsx bench/tools/sqlite-rollup-cost.ts [--jobs 20000] [--rounds 5]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/open-database.js';
import { leaseOf } from '../../src/jobs/model.js';
import { resolveNewJob } from '../../src/jobs/new-job.js';
import { KindRegistry } from '../../src/jobs/kinds.js';
import { noopKind } from '../../src/jobs/builtin-kinds.js';
import { summaryText } from '../lib/stats.js';
import { tempDirectory } from '../lib/services.js';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '5' } },
});
const JOBS = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const kinds = new KindRegistry([noopKind]);

async function drain(withRollups: boolean): Promise<number> {
  const directory = tempDirectory('rq_rollup_cost');
  const file = path.join(directory.dir, 'reelqueue.db');
  const config = loadConfig({}, { DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'silent' });
  const database = await openDatabase(config);
  await database.migrate();
  if (!withRollups) {
    const raw = new Database(file);
    for (const trigger of ['jobs_rollup_insert', 'jobs_rollup_delete', 'jobs_rollup_update'])
      raw.exec(`DROP TRIGGER ${trigger}`);
    raw.close();
  }
  try {
    const store = database.jobs;
    const job = () =>
      resolveNewJob({ kind: 'noop', payload: {} }, kinds, { jobTimeoutSeconds: 600, maxRetries: 2 });
    for (let i = 0; i < JOBS; i += 1000) await store.enqueueMany(Array.from({ length: 1000 }, job));
    const started = process.cpuUsage();
    let done = 0;
    let sinceFold = 0;
    for (;;) {
      const claimed = await store.claim({ workerId: 'cost', kinds: ['noop'], limit: 200, leaseSeconds: 60 });
      if (claimed.length === 0) break;
      await store.completeMany(claimed.map((j) => ({ lease: leaseOf(j), result: {} })));
      done += claimed.length;
      sinceFold += claimed.length;
      if (sinceFold >= 2000) {
        while ((await store.foldRollups()) > 0);
        sinceFold = 0;
      }
    }
    while ((await store.foldRollups()) > 0);
    const used = process.cpuUsage(started);
    if (done !== JOBS) throw new Error(`drained ${done} of ${JOBS}`);
    return (used.user + used.system) / JOBS;
  } finally {
    await database.close();
    directory.remove();
  }
}

const results = { with: [] as number[], without: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ([true, false] as const) : ([false, true] as const);
  for (const withRollups of order) {
    const us = await drain(withRollups);
    (withRollups ? results.with : results.without).push(us);
    process.stderr.write(
      `round ${round + 1}: ${withRollups ? 'with' : 'without'} rollups ${us.toFixed(2)} µs CPU/job\n`,
    );
  }
}
console.log(
  `SQLite store drain of ${JOBS} no-op jobs, CPU µs per job (claim 200 + completeMany), ${ROUNDS} rounds:`,
);
console.log(`  with rollups:    ${summaryText(results.with, 2)}`);
console.log(`  without rollups: ${summaryText(results.without, 2)}`);
