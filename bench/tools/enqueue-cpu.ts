/**
 * What a bulk enqueue costs the adding process in CPU, this tree's built `dist/` beside other
 * checkouts' (e.g. the commit of the last full run), interleaved: `enqueueMany` of N no-op jobs into
 * a fresh database, `process.cpuUsage()` around it. CPU time, unlike jobs/s, is not inflated by a
 * busy machine's waiting. On SQLite the database's own work (triggers, indexes) runs in this process
 * and is counted; on PostgreSQL only the client side is.
 *
 *   npx tsx bench/tools/enqueue-cpu.ts --db sqlite --rounds 3 --other /work/wt/old
 *
 * Each `--other` is a checkout with `dist/` built (`npm run build`) and a `node_modules` link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

interface App {
  enqueueMany(jobs: readonly { kind: string }[]): Promise<unknown>;
  close(): Promise<void>;
}
interface Built {
  createReelqueue(config: unknown): Promise<App>;
  loadConfig(overrides: object, env: Record<string, string>): unknown;
}

const POSTGRES_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    jobs: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    other: { type: 'string', multiple: true, default: [] },
  },
});
const jobCount = Number(values.jobs);
const trees = [resolve('.'), ...(values.other ?? []).map((dir) => resolve(dir))];

async function load(tree: string): Promise<Built> {
  const app = (await import(pathToFileURL(join(tree, 'dist/app.js')).href)) as Pick<Built, 'createReelqueue'>;
  const config = (await import(pathToFileURL(join(tree, 'dist/config.js')).href)) as Pick<
    Built,
    'loadConfig'
  >;
  return { createReelqueue: app.createReelqueue, loadConfig: config.loadConfig };
}

/** CPU milliseconds of one bulk enqueue into a fresh database. */
async function measure(built: Built, round: number): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'rq-enqueue-cpu-'));
  const schema = `bench_enqueue_cpu_${process.pid}_${round}`;
  const env: Record<string, string> =
    values.db === 'pg'
      ? { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema, LOG_LEVEL: 'silent' }
      : { DATABASE_URL: `sqlite:${join(folder, 'reelqueue.db')}`, LOG_LEVEL: 'silent' };
  const app = await built.createReelqueue(built.loadConfig({}, env));
  try {
    const jobs = Array.from({ length: jobCount }, () => ({ kind: 'noop' }));
    await app.enqueueMany(jobs.slice(0, 100)); // warm the statements
    const before = process.cpuUsage();
    await app.enqueueMany(jobs);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  } finally {
    await app.close();
    rmSync(folder, { recursive: true, force: true });
    if (values.db === 'pg') {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
}

const builds = await Promise.all(trees.map(load));
const results = trees.map(() => [] as number[]);
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [index, built] of builds.entries()) {
    results[index]?.push(await measure(built, round * trees.length + index));
  }
}
console.log(
  `enqueueMany of ${jobCount} jobs, ${values.db}, load ${loadavg()[0]?.toFixed(1)}: CPU ms of the adding process`,
);
for (const [index, tree] of trees.entries()) {
  const samples = (results[index] ?? []).map((ms) => ms.toFixed(0)).join(', ');
  console.log(`  ${tree}: ${samples}`);
}
