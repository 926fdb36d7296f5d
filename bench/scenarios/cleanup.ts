/**
 * Cleanup of many finished jobs (issue 23): `store.cleanup(0)` of a seeded table (the scale
 * scenario's: all but 2,000 jobs completed) while the same process claims and completes one job at
 * a time, as a worker beside it would. Reports the cleanup's time, the longest and p99 claim + complete
 * meanwhile, and the space: SQLite the largest WAL seen (sampled every 10 ms; its limit is 64 MB) and
 * the file before and after; PostgreSQL `pg_stat_user_tables` (live and dead rows) and the relation
 * sizes of jobs before, right after, and once autovacuum has run (waited for up to two minutes).
 */
import { statSync } from 'node:fs';
import { leaseOf } from '../../src/jobs/model.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { msSince, nowNs } from '../lib/clock.js';
import { Recorder } from '../lib/results.js';
import { withPg } from '../lib/services.js';
import { percentile } from '../lib/stats.js';
import type { QueueSystem } from '../systems/types.js';
import { rowsLabel, seeded } from './scale.js';
import { systemsFor, type Scenario, type ScenarioContext } from './types.js';

const PENDING = 2_000;
const MB = 1024 * 1024;

const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

interface PgTableState {
  live: number;
  dead: number;
  tableMb: number;
  indexesMb: number;
  autovacuums: number;
}

async function pgState(schema: string): Promise<PgTableState> {
  return withPg(async (client) => {
    const { rows } = await client.query<{
      live: string;
      dead: string;
      table: string;
      indexes: string;
      autovacuums: string;
    }>(
      `SELECT n_live_tup AS live, n_dead_tup AS dead, autovacuum_count AS autovacuums,
              pg_table_size(relid) AS table, pg_indexes_size(relid) AS indexes
         FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'jobs'`,
      [schema],
    );
    const row = rows[0];
    if (!row) throw new Error(`no statistics for ${schema}.jobs`);
    return {
      live: Number(row.live),
      dead: Number(row.dead),
      tableMb: Number(row.table) / MB,
      indexesMb: Number(row.indexes) / MB,
      autovacuums: Number(row.autovacuums),
    };
  });
}

const describePg = (state: PgTableState) =>
  `n_live_tup ${state.live}, n_dead_tup ${state.dead}, table ${state.tableMb.toFixed(1)} MB, indexes ${state.indexesMb.toFixed(1)} MB`;

async function measureSize(system: QueueSystem, rows: number, context: ScenarioContext, recorder: Recorder) {
  const size = rowsLabel(rows);
  const dialect = system.id === 'reelqueue-pg' ? 'pg' : 'sqlite';
  const { database, where, remove } = await seeded(dialect, rows, PENDING);
  try {
    const store = database.jobs;
    while ((await store.foldRollups()) > 0);
    const file = 'file' in where ? where.file : null;
    const schema = 'schema' in where ? where.schema : null;
    const fileBefore = file ? sizeOf(file) : 0;
    const pgBefore = schema ? await pgState(schema) : null;

    // The same claim + complete with no cleanup running: what the machine gives it.
    const claim = { workerId: 'bench-cleanup', kinds: ['noop'], limit: 1, leaseSeconds: 30 };
    const idle: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = nowNs();
      const [job] = await store.claim(claim);
      if (!job) break;
      await store.complete(leaseOf(job), {});
      idle.push(msSince(started));
    }
    recorder.record(
      system,
      `claim + complete without cleanup, p99, ${size}`,
      'ms',
      'lower',
      percentile(idle, 0.99),
    );

    let walMax = file ? sizeOf(`${file}-wal`) : 0;
    const sampler = file ? setInterval(() => (walMax = Math.max(walMax, sizeOf(`${file}-wal`))), 10) : null;
    let cleaning = true;
    const claims: number[] = [];
    const worker = (async () => {
      while (cleaning) {
        const started = nowNs();
        const [job] = await store.claim(claim);
        if (!job) break;
        await store.complete(leaseOf(job), {});
        claims.push(msSince(started));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const started = nowNs();
    const deleted = await store.cleanup(0, ALL_JOBS);
    const cleanupMs = msSince(started);
    cleaning = false;
    await worker;
    if (sampler) clearInterval(sampler);

    recorder.record(system, `cleanup of ${size} jobs`, 's', 'lower', cleanupMs / 1000);
    recorder.record(
      system,
      `claim + complete during cleanup, max, ${size}`,
      'ms',
      'lower',
      Math.max(...claims),
    );
    recorder.record(
      system,
      `claim + complete during cleanup, p99, ${size}`,
      'ms',
      'lower',
      percentile(claims, 0.99),
    );
    let line = `cleanup ${system.id} ${size}: ${deleted} jobs in ${(cleanupMs / 1000).toFixed(1)} s; claim + complete alone p50 ${percentile(idle, 0.5).toFixed(1)} p99 ${percentile(idle, 0.99).toFixed(1)} max ${Math.max(...idle).toFixed(1)} ms; ${claims.length} during the cleanup, max ${Math.max(...claims).toFixed(1)} ms, p99 ${percentile(claims, 0.99).toFixed(1)} ms`;
    if (file) {
      const fileAfter = sizeOf(file);
      recorder.record(system, `largest WAL during cleanup, ${size}`, 'MB', 'lower', walMax / MB);
      recorder.record(system, `database file before cleanup, ${size}`, 'MB', 'lower', fileBefore / MB);
      recorder.record(system, `database file after cleanup, ${size}`, 'MB', 'lower', fileAfter / MB);
      line += `; WAL max ${(walMax / MB).toFixed(1)} MB; file ${(fileBefore / MB).toFixed(1)} → ${(fileAfter / MB).toFixed(1)} MB`;
    }
    if (schema && pgBefore) {
      const after = await pgState(schema);
      // A server with autovacuum off (the test server here) gets the VACUUM autovacuum would run.
      const autovacuum = await withPg(
        async (client) =>
          (await client.query<{ on: string }>("SELECT current_setting('autovacuum') AS on")).rows[0]?.on,
      );
      if (autovacuum === 'off')
        await withPg((client) => client.query(`VACUUM ${client.escapeIdentifier(schema)}.jobs`));
      let vacuumed = await pgState(schema);
      const deadline = autovacuum === 'off' ? 0 : Date.now() + 120_000;
      while (vacuumed.autovacuums === pgBefore.autovacuums && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        vacuumed = await pgState(schema);
      }
      recorder.record(
        system,
        `jobs table + indexes before cleanup, ${size}`,
        'MB',
        'lower',
        pgBefore.tableMb + pgBefore.indexesMb,
      );
      recorder.record(system, `n_dead_tup right after cleanup, ${size}`, 'rows', 'lower', after.dead);
      recorder.record(system, `n_dead_tup after autovacuum, ${size}`, 'rows', 'lower', vacuumed.dead);
      line += `; before: ${describePg(pgBefore)}; right after: ${describePg(after)}; ${autovacuum === 'off' ? 'autovacuum off, after VACUUM' : vacuumed.autovacuums > pgBefore.autovacuums ? 'after autovacuum' : 'no autovacuum within 2 min'}: ${describePg(vacuumed)}`;
    }
    context.log(line);
  } finally {
    await remove();
  }
}

export const cleanupScenario: Scenario = {
  id: 'cleanup',
  title: 'Cleanup of many finished jobs (batches): claim delay, WAL, space given back',
  async run(context) {
    const recorder = new Recorder();
    const { scaleRows } = context.options.sizes;
    for (const rows of scaleRows) {
      for (const system of systemsFor(context, 'scale')) await measureSize(system, rows, context, recorder);
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `Tables of ${scaleRows.map(rowsLabel).join(', ')} rows seeded as in the scale scenario (${PENDING} pending, the rest completed), rollups folded; then store.cleanup(0) (every finished job) while the same process claims and completes one job at a time. SQLite: WAL sampled every 10 ms, the database created with auto_vacuum=INCREMENTAL. PostgreSQL: pg_stat_user_tables and pg_table_size / pg_indexes_size of jobs, waited up to 2 min for autovacuum.`,
      ],
      measurements: recorder.summarize(),
    };
  },
};
