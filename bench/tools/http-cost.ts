/**
 * What a status read costs the API process and the PostgreSQL server: autocannon loads
 * `GET /api/presentations/jobs/{id}` (one job, or each request the next of the owner's 200 pending
 * jobs) on bench/workers/api-server.ts, on a fresh schema or SQLite file, and the CPU time of both
 * (/proc) is divided by the requests answered. Shows which side a change to the read path moved.
 *
 *   npx tsx bench/tools/http-cost.ts [--jobs one|spread] [--seconds 8] [--rounds 2] [--db pg|sqlite]
 */
import { parseArgs } from 'node:util';
import { messageText, WorkerProcess } from '../lib/child-process.js';
import { cpuSeconds, postgresCpuSeconds } from '../lib/process-cpu.js';
import { dialectOption, scratchDatabase } from '../lib/scratch-database.js';
import { summaryText } from '../lib/stats.js';
import { load, type Target } from '../scenarios/http.js';
import { benchScript } from '../systems/types.js';

const CONNECTIONS = 50;
const WARM_UP_SECONDS = 2;

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: 'spread' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    db: { type: 'string', default: 'pg' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
if (values.jobs !== 'one' && values.jobs !== 'spread')
  throw new Error(`--jobs wants one or spread, got ${values.jobs}`);
const dialect = dialectOption(values.db);

interface Cost {
  perSecond: number;
  apiUs: number;
  serverUs: number;
}

async function measureOnce(): Promise<Cost> {
  const database = scratchDatabase(dialect, 'rq_http_cost');
  const server = new WorkerProcess(benchScript('api-server.ts', { ...database.env, LOG_LEVEL: 'warn' }));
  try {
    const ready = await server.next('ready');
    const target: Target = {
      url: messageText(ready, 'statusUrl'),
      headers: { authorization: `Bearer ${messageText(ready, 'apiKey')}` },
      ...(values.jobs === 'spread' && { paths: messageText(ready, 'spreadPaths').split(',') }),
    };
    await load(target, WARM_UP_SECONDS, CONNECTIONS);
    const apiPid = String(server.pid);
    const apiCpu = () => cpuSeconds((pid) => pid === apiPid);
    const [api0, server0] = [apiCpu(), postgresCpuSeconds()];
    const { perSecond } = await load(target, seconds, CONNECTIONS);
    const [api1, server1] = [apiCpu(), postgresCpuSeconds()];
    const requests = perSecond * seconds;
    return {
      perSecond,
      apiUs: ((api1 - api0) / requests) * 1e6,
      serverUs: dialect === 'pg' ? ((server1 - server0) / requests) * 1e6 : Number.NaN,
    };
  } finally {
    await server.stop();
    await database.remove();
  }
}

const costs: Cost[] = [];
for (let round = 1; round <= rounds; round++) {
  const cost = await measureOnce();
  costs.push(cost);
  console.error(
    `[http-cost] round ${round}/${rounds}: ${cost.perSecond.toFixed(0)} req/s, API ${cost.apiUs.toFixed(1)} µs, PostgreSQL ${cost.serverUs.toFixed(1)} µs a read`,
  );
}
const row = (pick: (cost: Cost) => number, digits: number) => summaryText(costs.map(pick), digits);
console.log(
  `status reads of ${values.jobs === 'one' ? 'one job' : '200 jobs in turn'}, ${CONNECTIONS} connections, ${seconds} s, ${dialect}, ${rounds} round(s)\n`,
);
console.log('| req/s | API CPU µs a read | PostgreSQL CPU µs a read |\n|---:|---:|---:|');
console.log(`| ${row((c) => c.perSecond, 0)} | ${row((c) => c.apiUs, 1)} | ${row((c) => c.serverUs, 1)} |`);
