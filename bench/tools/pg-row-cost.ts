/**
 * What reading one job by id costs this process on PostgreSQL, by the shape of the result: the 32
 * columns of `jobs`, the row as one json column (how the job store reads one job, `JOB_COLUMN`), and
 * one text column (the floor: a round trip of the same statement). Each read is a named statement on
 * a pool of 8 connections, 8 reads in flight; CPU is this process's user + system time
 * (`process.cpuUsage`) per read. The pg driver rebuilds its per-column parsers from every result's
 * row description, so its cost grows with the columns, not the rows.
 *
 *   npx tsx bench/tools/pg-row-cost.ts [--reads 40000] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { JOB_COLUMN } from '../../src/db/postgres/sql/jobs-sql.js';
import { dropSchema, POSTGRES_URL, uniqueName } from '../lib/services.js';
import { summarize } from '../lib/stats.js';

const IN_FLIGHT = 8;

const { values } = parseArgs({
  options: {
    reads: { type: 'string', default: '40000' },
    rounds: { type: 'string', default: '3' },
  },
});
const reads = Number(values.reads);
const rounds = Number(values.rounds);

const SHAPES = new Map([
  ['32 columns', 'SELECT * FROM jobs WHERE id = $1'],
  ['one json column', `SELECT ${JOB_COLUMN('jobs')} FROM jobs WHERE id = $1`],
  ['one text column (floor)', 'SELECT id FROM jobs WHERE id = $1'],
]);

/** CPU µs of this process per read, `reads` reads of `sql` with IN_FLIGHT in flight. */
async function cpuPerRead(
  pool: pg.Pool,
  name: string,
  sql: string,
  id: string,
  count: number,
): Promise<number> {
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = 0; i < count / IN_FLIGHT; i++) await pool.query({ name, text: sql, values: [id] });
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

const schema = uniqueName('rq_row_cost');
const app = await createReelqueue(
  loadConfig({ DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema, LOG_LEVEL: 'warn' }),
);
const pool = new pg.Pool({
  connectionString: POSTGRES_URL,
  max: IN_FLIGHT,
  options: `-c search_path=${schema}`,
});
try {
  const { job } = await app.enqueue({ kind: 'noop' });
  const figures = new Map<string, number[]>([...SHAPES.keys()].map((shape) => [shape, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [shape, sql] of SHAPES) {
      const name = `row_cost_${[...SHAPES.keys()].indexOf(shape)}`;
      await cpuPerRead(pool, name, sql, job.id, reads / 10); // warm-up: plans cached, code optimised
      figures.get(shape)?.push(await cpuPerRead(pool, name, sql, job.id, reads));
    }
  }
  console.log(`| result shape | CPU µs a read, median (range) of ${rounds} rounds of ${reads} reads |`);
  console.log('|---|---:|');
  for (const [shape, cpu] of figures) {
    const { median, min, max } = summarize(cpu);
    console.log(`| ${shape} | ${median.toFixed(1)} (${min.toFixed(1)}–${max.toFixed(1)}) |`);
  }
} finally {
  await pool.end();
  await app.close();
  await dropSchema(schema);
}
