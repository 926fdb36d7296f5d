/**
 * What reading jobs costs on PostgreSQL, by the shape of the result: the 32 columns of `jobs`
 * (mapped by `jobFromPg`), each row as one json column (`JOB_COLUMN`, mapped by `jobFromPgJson`),
 * and one text column (the floor: a round trip of the same statement, nothing mapped). Two reads: one
 * job by id, and a listing page (21 rows, newest first, as the store asks for a page of 20). Each
 * read is a named statement on reelqueue's own pool (its timestamp and bigint parsers), 8 reads in
 * flight; the figures are CPU per read of this process (`process.cpuUsage`: the pg driver and the
 * mapping) and of the PostgreSQL server (/proc, so the server must run on this machine). The driver
 * rebuilds its per-column parsers from every result's row description, so its cost grows with the
 * columns; the server's cost of building JSON grows with the rows.
 *
 *   npx tsx bench/tools/pg-row-cost.ts [--reads 40000] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { jobFromPg, jobFromPgJson, type PgJobColumn, type PgJobRow } from '../../src/db/postgres/job-row.js';
import { createPool, type PgPool } from '../../src/db/postgres/pool.js';
import { JOB_COLUMN } from '../../src/db/postgres/sql/jobs-sql.js';
import { postgresCpuSeconds } from '../lib/process-cpu.js';
import { dropSchema, POSTGRES_URL, uniqueName } from '../lib/services.js';
import { summaryText } from '../lib/stats.js';

const IN_FLIGHT = 8;

const { values } = parseArgs({
  options: {
    reads: { type: 'string', default: '40000' },
    rounds: { type: 'string', default: '3' },
  },
});
const reads = Number(values.reads);
const rounds = Number(values.rounds);

interface Shape {
  /** `$1` is a job's id; the page ignores it (`$1 IS NOT NULL`) to keep one parameter. */
  sql: string;
  /** What the store does with the rows. */
  map(rows: unknown[]): unknown;
}

const PAGE = 'ORDER BY created_at DESC, id DESC LIMIT 21';
const asColumns = (rows: unknown[]) => (rows as PgJobRow[]).map(jobFromPg);
const asJson = (rows: unknown[]) => (rows as PgJobColumn[]).map((row) => jobFromPgJson(row.job));
const asIs = (rows: unknown[]) => rows;

const SHAPES = new Map<string, Shape>([
  ['one job, 32 columns', { sql: 'SELECT * FROM jobs WHERE id = $1', map: asColumns }],
  ['one job, one json column', { sql: `SELECT ${JOB_COLUMN('jobs')} FROM jobs WHERE id = $1`, map: asJson }],
  ['one job, one text column (floor)', { sql: 'SELECT id FROM jobs WHERE id = $1', map: asIs }],
  [
    'page of 21, 32 columns',
    { sql: `SELECT * FROM jobs WHERE $1::uuid IS NOT NULL ${PAGE}`, map: asColumns },
  ],
  [
    'page of 21, one json column',
    { sql: `SELECT ${JOB_COLUMN('jobs')} FROM jobs WHERE $1::uuid IS NOT NULL ${PAGE}`, map: asJson },
  ],
  [
    'page of 21, one text column (floor)',
    { sql: `SELECT id FROM jobs WHERE $1::uuid IS NOT NULL ${PAGE}`, map: asIs },
  ],
]);

interface ReadCost {
  clientUs: number;
  serverUs: number;
}

/** CPU µs of this process and of the server per read, `count` reads of `shape` with IN_FLIGHT in flight. */
async function cpuPerRead(
  pool: PgPool,
  name: string,
  shape: Shape,
  id: string,
  count: number,
): Promise<ReadCost> {
  const before = process.cpuUsage();
  const serverBefore = postgresCpuSeconds();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = 0; i < count / IN_FLIGHT; i++) {
        shape.map((await pool.query({ name, text: shape.sql, values: [id] })).rows);
      }
    }),
  );
  const used = process.cpuUsage(before);
  return {
    clientUs: (used.user + used.system) / count,
    serverUs: ((postgresCpuSeconds() - serverBefore) * 1e6) / count,
  };
}

const schema = uniqueName('rq_row_cost');
const app = await createReelqueue(
  loadConfig({ DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema, LOG_LEVEL: 'warn' }),
);
const pool = createPool(POSTGRES_URL, schema, IN_FLIGHT);
try {
  const [first] = await app.enqueueMany(Array.from({ length: 100 }, () => ({ kind: 'noop' })));
  if (!first) throw new Error('no job was enqueued');
  const figures = new Map<string, ReadCost[]>([...SHAPES.keys()].map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [label, shape] of SHAPES) {
      const name = `row_cost_${[...SHAPES.keys()].indexOf(label)}`;
      await cpuPerRead(pool, name, shape, first.job.id, reads / 10); // warm-up: plans cached, code optimised
      figures.get(label)?.push(await cpuPerRead(pool, name, shape, first.job.id, reads));
    }
  }
  console.log(`CPU µs a read, median (range) of ${rounds} rounds of ${reads} reads:\n`);
  console.log('| read, result shape | this process | PostgreSQL server |');
  console.log('|---|---:|---:|');
  for (const [label, costs] of figures) {
    const cell = (pick: (cost: ReadCost) => number) => summaryText(costs.map(pick), 1);
    console.log(`| ${label} | ${cell((cost) => cost.clientUs)} | ${cell((cost) => cost.serverUs)} |`);
  }
} finally {
  await pool.end();
  await app.close();
  await dropSchema(schema);
}
