/**
 * Statistics and health latency by table size (issue 23): `statistics(H)` for H = 1, 24 and 720 and
 * `health()` of the whole queue, read from the rollups; the time series (1 h by minute, 20 calls),
 * which counts the window's jobs from index ranges; and one owner's (an API key's)
 * `statistics(24)` and `health()` (GET /api/users/me), which count that owner's jobs from
 * jobs_user_created_idx. Tables seeded as in the scale scenario (mostly completed jobs, some pending,
 * one every 100 ms up to now) and shaped as the listings scenario's (`mixSqlite`: 1 % failed, 50
 * running, 1 % owned by ten users). The whole queue's p99 should stay flat as the table grows; an
 * owner's grows with that owner's jobs (0.1 % of the table each here). The fold of the seeding's
 * deltas is timed apart: in service the folds run every couple of seconds as jobs change. Last, the
 * command line's `reelqueue stats --json` on the same table, three times, wall time of the whole
 * process (its start-up included: `node dist/cli/main.js`).
 */
import { spawnSync } from 'node:child_process';
import { ALL_JOBS, ownedBy } from '../../src/jobs/store.js';
import { msSince, nowNs } from '../lib/clock.js';
import { Recorder } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import { REELQUEUE_CLI } from '../systems/reelqueue.js';
import { POSTGRES_URL } from '../lib/services.js';
import type { QueueSystem } from '../systems/types.js';
import { rowsLabel, seeded } from './scale.js';
import { systemsFor, type Scenario, type ScenarioContext } from './types.js';

const READS = [
  { name: 'statistics 1 h', read: (s: Store) => s.statistics(1, ALL_JOBS) },
  { name: 'statistics 24 h', read: (s: Store) => s.statistics(24, ALL_JOBS) },
  { name: 'statistics 720 h', read: (s: Store) => s.statistics(720, ALL_JOBS) },
  { name: 'health', read: (s: Store) => s.health(ALL_JOBS) },
  // Its work is the window's jobs (36,000 an hour here): fewer calls. (24 h by hour reads most of a
  // 1M-job table here, seconds a call: see docs/benchmarks.md.)
  { name: 'time series 1 h by minute', read: (s: Store) => s.timeSeries(1, 'minute', ALL_JOBS), calls: 20 },
  { name: 'statistics 24 h, one owner', read: (s: Store) => s.statistics(24, OWNER) },
  { name: 'health, one owner', read: (s: Store) => s.health(OWNER) },
] as const;
/** One of the ten owners of the mixed seeding (0.1 % of the jobs). */
const OWNER = ownedBy('user-3');
type Store = import('../../src/jobs/store.js').JobStore;
interface Read {
  name: string;
  read: (s: Store) => Promise<unknown>;
  /** Fewer calls than the scenario's operations, for a read that takes long. */
  calls?: number;
}

async function measureSize(system: QueueSystem, rows: number, context: ScenarioContext, recorder: Recorder) {
  const { runs, scaleOperations: operations } = context.options.sizes;
  const size = rowsLabel(rows);
  const seedStarted = nowNs();
  const { database, where, remove } = await seeded(
    system.id === 'reelqueue-pg' ? 'pg' : 'sqlite',
    rows,
    500,
    true,
  );
  context.log(`statistics ${system.id} ${size}: seeded in ${(msSince(seedStarted) / 1000).toFixed(1)} s`);
  try {
    const store = database.jobs;
    const foldStarted = nowNs();
    while ((await store.foldRollups()) > 0);
    const foldMs = msSince(foldStarted);
    recorder.record(system, `fold of the seeding's deltas, ${size} rows`, 'ms', 'lower', foldMs);
    context.log(`statistics ${system.id} ${size}: folded the seeding in ${(foldMs / 1000).toFixed(1)} s`);
    for (let run = 1; run <= runs; run++) {
      const parts: string[] = [];
      for (const { name, read, calls } of READS as readonly Read[]) {
        const samples: number[] = [];
        for (let i = 0; i < Math.min(operations, calls ?? operations); i++) {
          const started = nowNs();
          await read(store);
          samples.push(msSince(started));
        }
        recorder.record(system, `${name} p50, ${size} rows`, 'ms', 'lower', percentile(samples, 0.5));
        recorder.record(system, `${name} p99, ${size} rows`, 'ms', 'lower', percentile(samples, 0.99));
        parts.push(`${name} p99 ${percentile(samples, 0.99).toFixed(2)}`);
      }
      context.log(`statistics ${system.id} ${size} run ${run}/${runs}: ${parts.join('; ')} ms`);
    }
    const cliMs = timeStatsCommand(where);
    recorder.record(
      system,
      `reelqueue stats (CLI process), ${size} rows`,
      'ms',
      'lower',
      percentile(cliMs, 0.5),
    );
    context.log(
      `statistics ${system.id} ${size}: reelqueue stats ${cliMs.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
  } finally {
    await remove();
  }
}

/** Wall ms of three `reelqueue stats --json` runs against the seeded table. */
function timeStatsCommand(where: { file: string } | { schema: string }): number[] {
  const env = {
    ...process.env,
    LOG_LEVEL: 'silent',
    ...('file' in where
      ? { DATABASE_URL: `sqlite:${where.file}` }
      : { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: where.schema }),
  };
  return [1, 2, 3].map(() => {
    const started = nowNs();
    const run = spawnSync(process.execPath, [REELQUEUE_CLI, 'stats', '--json'], { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`reelqueue stats failed: ${run.stderr}`);
    return msSince(started);
  });
}

export const statisticsScenario: Scenario = {
  id: 'statistics',
  title: 'Statistics and health latency by table size (rollups)',
  async run(context) {
    const recorder = new Recorder();
    const { scaleRows, scaleOperations, runs } = context.options.sizes;
    for (const rows of scaleRows) {
      for (const system of systemsFor(context, 'scale')) await measureSize(system, rows, context, recorder);
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `Tables of ${scaleRows.map(rowsLabel).join(', ')} rows seeded as in the scale scenario (500 pending, the rest completed, one job every 100 ms up to now) and shaped as the listings scenario's (1 % failed, 50 running, 1 % owned by ten users), the seeding's deltas folded once (timed). ${runs} runs of ${scaleOperations} sequential calls of each read through the store, whole queue (admin scope) unless "one owner" (user-3, 0.1 % of the jobs), from the bench process.`,
      ],
      measurements: recorder.summarize(),
    };
  },
};
