/**
 * Scale: claim, complete and status-read latency with a big jobs table (mostly completed jobs, some
 * pending), through reelqueue's own store (`openDatabase(config)` + `migrate()`), on both dialects.
 * p50 / p99 should stay flat as the table grows.
 */
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type OpenDatabase } from '../../src/db/open-database.js';
import { leaseOf } from '../../src/jobs/model.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { msSince, nowNs } from '../lib/clock.js';
import { Recorder } from '../lib/results.js';
import { dropSchema, POSTGRES_URL, tempDirectory, uniqueName } from '../lib/services.js';
import { percentile } from '../lib/stats.js';
import type { QueueSystem } from '../systems/types.js';
import { mixPostgres, mixSqlite, seededId, seedPostgres, seedSqlite } from './scale-seed.js';
import { systemsFor, type Scenario, type ScenarioContext } from './types.js';

export const rowsLabel = (rows: number) =>
  rows >= 1_000_000 ? `${rows / 1_000_000}M` : rows >= 1_000 ? `${rows / 1_000}k` : String(rows);

interface SeededDatabase {
  database: OpenDatabase;
  /** The SQLite file, or the PostgreSQL schema, it lives in. */
  where: { file: string } | { schema: string };
  remove(): Promise<void>;
}

export async function seeded(
  dialect: 'pg' | 'sqlite',
  rows: number,
  pending: number,
  /** Shape it as listings meet it (`mixSqlite`): several statuses, kinds and owners. */
  mixed = false,
): Promise<SeededDatabase> {
  if (dialect === 'pg') {
    const schema = uniqueName('rq_scale');
    const config = loadConfig({}, { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema });
    const database = await openDatabase(config);
    await database.migrate();
    await seedPostgres(schema, rows, pending);
    if (mixed) await mixPostgres(schema);
    return {
      database,
      where: { schema },
      remove: async () => {
        await database.close();
        await dropSchema(schema);
      },
    };
  }
  const directory = tempDirectory('rq_scale');
  const file = path.join(directory.dir, 'reelqueue.db');
  const config = loadConfig({}, { DATABASE_URL: `sqlite:${file}` });
  const migrating = await openDatabase(config);
  await migrating.migrate();
  await migrating.close();
  seedSqlite(file, rows, pending);
  if (mixed) mixSqlite(file);
  const database = await openDatabase(config);
  return {
    database,
    where: { file },
    remove: async () => {
      await database.close();
      directory.remove();
    },
  };
}

async function timed<T>(samples: number[], work: () => Promise<T>): Promise<T> {
  const started = nowNs();
  const result = await work();
  samples.push(msSince(started));
  return result;
}

async function measureSize(system: QueueSystem, rows: number, context: ScenarioContext, recorder: Recorder) {
  const { runs, scaleOperations: operations } = context.options.sizes;
  const pending = runs * operations + 500;
  const seedStarted = nowNs();
  const { database, remove } = await seeded(system.id === 'reelqueue-pg' ? 'pg' : 'sqlite', rows, pending);
  context.log(
    `scale ${system.id} ${rowsLabel(rows)}: seeded in ${(msSince(seedStarted) / 1000).toFixed(1)} s`,
  );
  try {
    const store = database.jobs;
    const claim = { workerId: 'bench-scale', kinds: ['noop'], limit: 1, leaseSeconds: 30 };
    for (let run = 1; run <= runs; run++) {
      const claims: number[] = [];
      const completes: number[] = [];
      const reads: number[] = [];
      for (let i = 0; i < operations; i++) {
        const [job] = await timed(claims, () => store.claim(claim));
        if (!job) throw new Error('the seeded pending jobs ran out');
        await timed(completes, () => store.complete(leaseOf(job), {}));
        const id = seededId(1 + Math.floor(Math.random() * rows));
        const read = await timed(reads, () => store.get(id, ALL_JOBS));
        if (!read) throw new Error(`seeded job ${id} is missing`);
      }
      const size = rowsLabel(rows);
      for (const [name, samples] of [
        ['claim', claims],
        ['complete', completes],
        ['status read', reads],
      ] as const) {
        recorder.record(system, `${name} p50, ${size} rows`, 'ms', 'lower', percentile(samples, 0.5));
        recorder.record(system, `${name} p99, ${size} rows`, 'ms', 'lower', percentile(samples, 0.99));
      }
      context.log(
        `scale ${system.id} ${size} run ${run}/${runs}: claim p50 ${percentile(claims, 0.5).toFixed(2)} p99 ${percentile(claims, 0.99).toFixed(2)} ms; read p99 ${percentile(reads, 0.99).toFixed(2)} ms`,
      );
    }
  } finally {
    await remove();
  }
}

export const scaleScenario: Scenario = {
  id: 'scale',
  title: 'Scale (claim, complete and status-read latency by table size)',
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
        `Tables of ${scaleRows.map(rowsLabel).join(', ')} rows seeded in SQL (${runs * scaleOperations + 500} pending, the rest completed; PostgreSQL then VACUUM ANALYZE, SQLite not analysed), job_events empty. Per run ${scaleOperations} × (store.claim of 1 + store.complete + store.get of a random row), sequential, from the bench process.`,
      ],
      measurements: recorder.summarize(),
    };
  },
};
