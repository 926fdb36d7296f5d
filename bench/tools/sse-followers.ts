/**
 * What clients following one job over server-sent events cost the server while nothing happens to
 * the job: N streams of `GET /api/presentations/jobs/{id}/events` on one pending job, then, over a
 * measured window, the API process's CPU, the PostgreSQL server's CPU and its committed
 * transactions (each read of the log is one). The API is bench/workers/api-server.ts (no workers)
 * on a fresh schema or SQLite file.
 *
 *   npx tsx bench/tools/sse-followers.ts [--clients 200] [--seconds 5] [--rounds 2] [--db pg|sqlite]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { messageText, WorkerProcess } from '../lib/child-process.js';
import { sleep } from '../lib/clock.js';
import { cpuSeconds, postgresCpuSeconds } from '../lib/process-cpu.js';
import { dialectOption, scratchDatabase } from '../lib/scratch-database.js';
import { POSTGRES_URL } from '../lib/services.js';
import { summaryText } from '../lib/stats.js';
import { benchScript } from '../systems/types.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    db: { type: 'string', default: 'pg' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const dialect = dialectOption(values.db);

interface Cost {
  apiCpuPercent: number;
  serverCpuPercent: number;
  transactionsPerSecond: number;
}

async function committedTransactions(client: pg.Client): Promise<number> {
  // Statistics reach pg_stat_database when a backend flushes them; force ours, read everyone's.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ n: string }>(
    'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]?.n ?? 0);
}

async function measureOnce(): Promise<Cost> {
  const database = scratchDatabase(dialect, 'rq_sse');
  const server = new WorkerProcess(benchScript('api-server.ts', { ...database.env, LOG_LEVEL: 'warn' }));
  const stats = new pg.Client({ connectionString: POSTGRES_URL });
  await stats.connect();
  const streams = new AbortController();
  try {
    const ready = await server.next('ready');
    const url = `${messageText(ready, 'statusUrl')}/events`;
    const headers = { authorization: `Bearer ${messageText(ready, 'apiKey')}` };
    const opened = await Promise.all(
      Array.from({ length: clients }, () => fetch(url, { headers, signal: streams.signal })),
    );
    for (const response of opened) {
      if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
      void response.body?.pipeTo(new WritableStream()).catch(() => undefined);
    }
    await sleep(1000);
    const apiPid = String(server.pid);
    const apiCpu = () => cpuSeconds((pid) => pid === apiPid);
    const [api0, server0, commits0, at0] = [
      apiCpu(),
      postgresCpuSeconds(),
      await committedTransactions(stats),
      Date.now(),
    ];
    await sleep(seconds * 1000);
    // PostgreSQL flushes a backend's statistics at most once a second: give it time to catch up.
    const [api1, server1, at1] = [apiCpu(), postgresCpuSeconds(), Date.now()];
    await sleep(1100);
    const commits1 = await committedTransactions(stats);
    const elapsed = (at1 - at0) / 1000;
    return {
      apiCpuPercent: (100 * (api1 - api0)) / elapsed,
      serverCpuPercent: dialect === 'pg' ? (100 * (server1 - server0)) / elapsed : Number.NaN,
      transactionsPerSecond: dialect === 'pg' ? (commits1 - commits0) / (elapsed + 1.1) : Number.NaN,
    };
  } finally {
    streams.abort();
    await stats.end();
    await server.stop();
    await database.remove();
  }
}

const costs: Cost[] = [];
for (let round = 1; round <= rounds; round++) {
  const cost = await measureOnce();
  costs.push(cost);
  console.error(
    `[sse-followers] round ${round}/${rounds}: API ${cost.apiCpuPercent.toFixed(1)} % CPU, PostgreSQL ${cost.serverCpuPercent.toFixed(1)} %, ${cost.transactionsPerSecond.toFixed(0)} transactions/s`,
  );
}
const row = (pick: (cost: Cost) => number) => summaryText(costs.map(pick), 1);
console.log(
  `${clients} clients following one pending job, ${seconds} s measured, ${dialect}, ${rounds} round(s)\n`,
);
console.log('| API CPU % | PostgreSQL CPU % | transactions/s |\n|---:|---:|---:|');
console.log(
  `| ${row((c) => c.apiCpuPercent)} | ${row((c) => c.serverCpuPercent)} | ${row((c) => c.transactionsPerSecond)} |`,
);
