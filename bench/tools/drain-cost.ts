/**
 * What a PostgreSQL drain costs per job, to compare schema or code changes one at a time: N no-op
 * jobs added in bulk into a fresh schema, then drained by `reelqueue worker -c C` (dist/, so build
 * first), with WAL bytes (`pg_current_wal_lsn`), the CPU time of every PostgreSQL process and of the
 * worker (/proc, Linux), and jobs/s. Variants are SQL run on each fresh schema before the jobs are
 * added (a dropped index, a table option); rounds interleave them, so the machine's drift falls on
 * all alike. The table shows the median and range of each figure.
 *
 *   npx tsx bench/tools/drain-cost.ts [--jobs 20000] [--concurrency 50] [--rounds 3]
 *     [--variant 'name=SQL' ...] [--no-checkpoint]
 *
 * The PostgreSQL server must run on this machine (its processes are read from /proc). Without
 * --no-checkpoint each drain starts right after a CHECKPOINT, so every first change of a page writes
 * a full-page image, as in a long-running server; with it, WAL per job is smaller and less steady.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { WorkerProcess } from '../lib/child-process.js';
import { msSince, nowNs } from '../lib/clock.js';
import { waitUntilDrained } from '../lib/drain.js';
import { cpuSeconds, postgresCpuSeconds } from '../lib/process-cpu.js';
import { dropSchema, POSTGRES_URL, uniqueName } from '../lib/services.js';
import { summaryText } from '../lib/stats.js';
import { REELQUEUE_CLI, UNFINISHED } from '../systems/reelqueue.js';

interface DrainCost {
  jobsPerSecond: number;
  walBytesPerJob: number;
  serverCpuUsPerJob: number;
  workerCpuUsPerJob: number;
}

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    variant: { type: 'string', multiple: true, default: [] },
    'no-checkpoint': { type: 'boolean', default: false },
  },
});
const jobs = Number(values.jobs);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const variants = new Map<string, string>([['as built', '']]);
for (const spec of values.variant) {
  const equals = spec.indexOf('=');
  if (equals <= 0) throw new Error(`--variant wants name=SQL, got "${spec}"`);
  variants.set(spec.slice(0, equals), spec.slice(equals + 1));
}

/** CPU seconds (user + system) of the processes whose stat line `matches`. */
const serverCpu = postgresCpuSeconds;

async function drainOnce(setupSql: string): Promise<DrainCost> {
  const schema = uniqueName('drain');
  const env = {
    DATABASE_URL: POSTGRES_URL,
    DATABASE_SCHEMA: schema,
    LOG_LEVEL: 'warn',
    POLL_INTERVAL_MS: '1000',
  };
  const app = await createReelqueue(loadConfig({}, { ...env, LOG_LEVEL: 'silent' }));
  const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    if (setupSql) await client.query(setupSql);
    await app.enqueueMany(Array.from({ length: jobs }, () => ({ kind: 'noop' })));
    if (!values['no-checkpoint']) await client.query('CHECKPOINT');
    const worker = new WorkerProcess({
      command: process.execPath,
      args: [REELQUEUE_CLI, 'worker', '-c', String(concurrency), '--json'],
      env,
      channel: 'stdout-json',
    });
    try {
      await worker.next('worker_started');
      const workerPid = String(worker.pid);
      const workerCpu = () => cpuSeconds((pid) => pid === workerPid);
      const lsn = async () =>
        (await client.query<{ l: string }>('SELECT pg_current_wal_lsn() AS l')).rows[0]?.l;
      const lsnBefore = await lsn();
      const [serverBefore, workerBefore, startedAt] = [serverCpu(), workerCpu(), nowNs()];
      const endedAt = await waitUntilDrained(
        async () => Number((await client.query<{ n: string }>(UNFINISHED)).rows[0]?.n ?? 0),
        jobs,
        60_000 + jobs * 5,
      );
      const [serverAfter, workerAfter] = [serverCpu(), workerCpu()];
      const { rows } = await client.query<{ bytes: string }>(
        'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS bytes',
        [lsnBefore],
      );
      return {
        jobsPerSecond: jobs / (msSince(startedAt, endedAt) / 1000),
        walBytesPerJob: Number(rows[0]?.bytes) / jobs,
        serverCpuUsPerJob: ((serverAfter - serverBefore) * 1e6) / jobs,
        workerCpuUsPerJob: ((workerAfter - workerBefore) * 1e6) / jobs,
      };
    } finally {
      await worker.stop();
    }
  } finally {
    await client.end();
    await app.close();
    await dropSchema(schema);
  }
}

const costs = new Map<string, DrainCost[]>([...variants.keys()].map((name) => [name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const [name, sql] of variants) {
    const cost = await drainOnce(sql);
    costs.get(name)?.push(cost);
    process.stderr.write(
      `[drain-cost] round ${round}/${rounds} ${name}: ${cost.jobsPerSecond.toFixed(0)} jobs/s, ` +
        `${cost.walBytesPerJob.toFixed(0)} B WAL, server ${cost.serverCpuUsPerJob.toFixed(1)} µs, ` +
        `worker ${cost.workerCpuUsPerJob.toFixed(1)} µs a job\n`,
    );
  }
}

/** The table's figures: each one's heading and decimals. */
const FIGURES: [keyof DrainCost, string, number][] = [
  ['jobsPerSecond', 'jobs/s', 0],
  ['walBytesPerJob', 'WAL bytes a job', 0],
  ['serverCpuUsPerJob', 'server CPU µs a job', 1],
  ['workerCpuUsPerJob', 'worker CPU µs a job', 1],
];
console.log(
  `${jobs} no-op jobs, worker concurrency ${concurrency}, ${rounds} round(s)` +
    (values['no-checkpoint'] ? ', no checkpoint before each drain' : ''),
);
console.log(`\n| variant | ${FIGURES.map(([, heading]) => heading).join(' | ')} |`);
console.log(`|---|${FIGURES.map(() => '---:').join('|')}|`);
for (const [name, samples] of costs) {
  const cells = FIGURES.map(([figure, , digits]) =>
    summaryText(
      samples.map((cost) => cost[figure]),
      digits,
    ),
  );
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
process.exit(0);
