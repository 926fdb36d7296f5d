/**
 * A fleet on one PostgreSQL (issue 29): 1, 10 and 100 worker processes (concurrency 2, each its own
 * process from the build) plus 4 API processes (`serve --no-worker`), on a throwaway PostgreSQL with
 * `max_connections` 100, started by the scenario:
 * - 1 and 10 processes straight to PostgreSQL with the default pool (10);
 * - 100 processes through a throwaway PgBouncer 1.18 in transaction mode (20 server connections),
 *   LISTEN straight to the server (DATABASE_LISTEN_URL): 104 LISTEN sessions + 20 pooled, so the
 *   server gets max_connections 150 (one LISTEN session per process is the cost left);
 * - 100 processes straight to PostgreSQL with DATABASE_POOL_SIZE=1: each process also holds its
 *   LISTEN session, so this fleet needs about 2 × 104 connections and gets a server with
 *   max_connections 250: it cannot fit in 100 without a pooler;
 * - 100 processes through PgBouncer with WAKE_UPS=redis (a throwaway Redis): no LISTEN session at
 *   all, so the server gets the default max_connections 100 (20 pooled + the scenario's own).
 *
 * Per fleet: pickup (the fleet idle, one job at a time: ms from the enqueue returning to a handler
 * starting) and the claims made per job meanwhile (the thundering herd: every idle process wakes
 * for every job); then throughput (N jobs of 5 ms enqueued in batches of 1,000, until all are
 * completed) with its claims per job, the workers that got work, and the error lines in the logs.
 * The 100-process fleets then run a crash round (issue 29: "kill -9 a third of the workers mid-run:
 * nothing lost, the rest keep going"): a quarter as many jobs, a third of the processes killed with
 * SIGKILL once a third of those jobs are done, and the jobs table checked once all are completed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { CLI } from '../../test/support/worker-process.js';
import { ThrowawayPgBouncer } from '../../test/support/throwaway-pgbouncer.js';
import { ThrowawayPostgres } from '../../test/support/throwaway-postgres.js';
import { ThrowawayRedis } from '../../test/support/throwaway-redis.js';
import { WorkerProcess, messageText } from '../lib/child-process.js';
import { msSince, sleep } from '../lib/clock.js';
import { Recorder, type MeasuredSystem } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import type { Scenario, ScenarioContext } from './types.js';

interface Fleet extends MeasuredSystem {
  processes: number;
  via: 'direct' | 'pgbouncer';
  poolSize: number;
  maxConnections: number;
  wakeUps: 'listen' | 'redis';
  /** Kill -9 a third of the worker processes in a round of its own after the throughput run. */
  crashRound: boolean;
  /** Runs only when named in `--fleets`. */
  optIn: boolean;
}

const fleet = (
  processes: number,
  via: Fleet['via'],
  poolSize: number,
  maxConnections: number,
  wakeUps: Fleet['wakeUps'] = 'listen',
): Fleet => ({
  id: `fleet-${processes}-${via}-pool${poolSize}${wakeUps === 'redis' ? '-redis' : ''}`,
  label: `${processes} worker process${processes === 1 ? '' : 'es'}, ${via === 'pgbouncer' ? 'through PgBouncer' : 'direct'}, pool ${poolSize}${wakeUps === 'redis' ? ', WAKE_UPS=redis (no LISTEN)' : ''}`,
  role: 'reelqueue',
  processes,
  via,
  poolSize,
  maxConnections,
  wakeUps,
  crashRound: processes >= 100,
  optIn: false,
});

const FLEETS: readonly Fleet[] = [
  fleet(1, 'direct', 10, 100),
  fleet(10, 'direct', 10, 100),
  fleet(100, 'pgbouncer', 10, 150),
  fleet(100, 'direct', 1, 250),
  // No LISTEN session per process: PgBouncer's 20 server connections are all the server sees.
  fleet(100, 'pgbouncer', 10, 100, 'redis'),
  // The crash round where a hundred processes cannot start in time (a loaded machine).
  {
    ...fleet(10, 'direct', 10, 100),
    id: 'fleet-10-direct-pool10-crash',
    label: '10 worker processes, direct, pool 10, with the crash round',
    crashRound: true,
    optIn: true,
  },
];
const API_PROCESSES = 4;
const CONCURRENCY = 2;
const JOB_MS = 5;
const BATCH = 1000;
/** The crash round kills every third worker process (a third of them), SIGKILL. */
const KILLED_EVERY = 3;
/** The crash round's jobs must all be completed within this long after the kill (leases are 30 s). */
const CRASH_DEADLINE_MS = 5 * 60_000;
/** Processes started at once: a hundred node processes starting together starve a 2-core machine. */
const START_WAVE = 10;
const FLEET_WORKER = new URL('../workers/fleet-worker.mjs', import.meta.url).pathname;

interface Running {
  server: ThrowawayPostgres;
  bouncer: ThrowawayPgBouncer | null;
  redis: ThrowawayRedis | null;
  app: Reelqueue;
  workers: WorkerProcess[];
  /** The worker id each process runs, in `workers` order. */
  workerIds: string[];
  apis: ChildProcess[];
  apiStderr: string[];
  dataDir: string;
}

async function start(spec: Fleet): Promise<Running> {
  const server = await ThrowawayPostgres.start({ max_connections: String(spec.maxConnections) });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'reelqueue-fleet-'));
  const redis = spec.wakeUps === 'redis' ? await ThrowawayRedis.start() : null;
  const bouncer =
    spec.via === 'pgbouncer'
      ? await ThrowawayPgBouncer.start({ serverPort: server.port, database: 'postgres', poolSize: 20 })
      : null;
  const env: Record<string, string> = {
    DATABASE_URL: bouncer?.url ?? server.url,
    DATABASE_LISTEN_URL: server.url,
    DATABASE_POOL_SIZE: String(spec.poolSize),
    WORKER_CONCURRENCY: String(CONCURRENCY),
    LOG_LEVEL: 'warn',
    CLEANUP_INTERVAL_MINUTES: '0',
    DATA_DIR: dataDir,
    ...(redis ? { WAKE_UPS: 'redis', REDIS_URL: redis.url, STATUS_CACHE_SECONDS: '0' } : {}),
  };
  // The measuring process enqueues as the API would: with WAKE_UPS=redis its wake-ups go over Redis.
  const appSettings = redis ? { WAKE_UPS: 'redis', REDIS_URL: redis.url, STATUS_CACHE_SECONDS: 0 } : {};
  const app = await createReelqueue(
    loadConfig({}, { DATABASE_URL: server.url, LOG_LEVEL: 'silent', ...appSettings }),
    {
      logger: silentLogger(),
      kinds: [
        {
          name: 'fleet_sleep',
          parsePayload: (input) => input as Record<string, never>,
          run: async () => ({}),
        },
      ],
      defaultKinds: false,
    },
  );
  const apiStderr: string[] = [];
  const apis = Array.from({ length: API_PROCESSES }, () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--no-worker', '--port', '0'], {
      env: { ...process.env, ...env, SERVE_WORKERS: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => apiStderr.push(chunk.toString()));
    return child;
  });
  const workers: WorkerProcess[] = [];
  const workerIds: string[] = [];
  const running = { server, bouncer, redis, app, workers, workerIds, apis, apiStderr, dataDir };
  try {
    for (let i = 0; i < spec.processes; i += START_WAVE) {
      const wave = Array.from(
        { length: Math.min(START_WAVE, spec.processes - i) },
        () => new WorkerProcess({ command: process.execPath, args: [FLEET_WORKER], env, channel: 'ipc' }),
      );
      // Every pickup waits on all of them at once: more listeners than EventEmitter's default 10.
      for (const worker of wave) worker.setMaxListeners(0);
      workers.push(...wave);
      const started = await Promise.all(wave.map((worker) => worker.next('worker_started', 120_000)));
      workerIds.push(...started.map((message) => messageText(message, 'workerId')));
    }
  } catch (error) {
    // A fleet that could not start leaves no process behind (a loaded machine: the next fleet runs).
    await stop(running);
    throw error;
  }
  return running;
}

async function stop(running: Running): Promise<void> {
  await Promise.all(running.workers.map((worker) => worker.stop()));
  for (const api of running.apis) api.kill('SIGTERM');
  await Promise.all(
    running.apis.map(
      (api) =>
        new Promise<void>((resolve) =>
          api.exitCode !== null ? resolve() : api.once('exit', () => resolve()),
        ),
    ),
  );
  await running.app.close();
  running.bouncer?.destroy();
  await running.redis?.destroy();
  running.server.destroy();
  rmSync(running.dataDir, { recursive: true, force: true });
}

/** Claims (and empty ones) every worker made since the last call. */
async function claimCounts(workers: readonly WorkerProcess[]): Promise<{ claims: number; empty: number }> {
  const replies = await Promise.all(
    workers.map((worker) => {
      const reply = worker.next('stats', 30_000);
      worker.send({ type: 'stats' });
      return reply;
    }),
  );
  return replies.reduce(
    (sum, reply) => ({
      claims: sum.claims + Number(reply.claims),
      empty: sum.empty + Number(reply.emptyClaims),
    }),
    { claims: 0, empty: 0 },
  );
}

/** Worker processes that completed at least one job (each process runs one worker). */
async function workersThatGotWork(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(DISTINCT worker_id)::int AS n FROM jobs WHERE status = 'completed'`,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

async function unfinished(app: Reelqueue): Promise<number> {
  const health = await app.jobs.health(ALL_JOBS);
  return health.pending + health.running;
}

/** One job at a time on the idle fleet: pickup ms per job and claims per job. */
async function pickups(
  running: Running,
  count: number,
): Promise<{ samples: number[]; claimsPerJob: number }> {
  await claimCounts(running.workers);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const picked = Promise.race(running.workers.map((worker) => worker.next('pickup', 30_000)));
    await running.app.enqueue({ kind: 'fleet_sleep', payload: { ms: JOB_MS, report: true } });
    const addedNs = process.hrtime.bigint();
    const startedNs = BigInt(messageText(await picked, 't'));
    samples.push(msSince(addedNs, startedNs));
    while ((await unfinished(running.app)) > 0) await sleep(5);
    await sleep(20);
  }
  const { claims } = await claimCounts(running.workers);
  return { samples, claimsPerJob: claims / count };
}

async function throughput(running: Running, jobs: number) {
  await claimCounts(running.workers);
  const startedAt = process.hrtime.bigint();
  for (let added = 0; added < jobs; added += BATCH) {
    const size = Math.min(BATCH, jobs - added);
    await running.app.enqueueMany(
      Array.from({ length: size }, () => ({ kind: 'fleet_sleep', payload: { ms: JOB_MS } })),
    );
  }
  while ((await running.app.jobs.health(ALL_JOBS)).completed < jobs) await sleep(50);
  const seconds = msSince(startedAt, process.hrtime.bigint()) / 1000;
  const { claims, empty } = await claimCounts(running.workers);
  return {
    jobsPerSecond: jobs / seconds,
    claimsPerJob: claims / jobs,
    emptyClaims: empty,
    errorLines: errorLines(running),
  };
}

/** Lines logged at level error or fatal so far by the worker and API processes. */
function errorLines(running: Running): number {
  return [...running.workers.map((worker) => worker.stderr), ...running.apiStderr]
    .join('\n')
    .split('\n')
    .filter((line) => /"level":(50|60)/.test(line)).length;
}

/**
 * The crash round: `jobs` jobs of 5 ms (payload `round: 'crash'`), every third worker process killed
 * with SIGKILL once a third of them are completed, then a wait until all are. What the jobs table
 * says afterwards: jobs not completed (lost), completions (one per job: each is fenced on its lease,
 * so a killed worker's late write cannot land a second), jobs re-queued from the killed processes
 * (`lost_attempts`: running there, or claimed ahead and waiting; those that were running run
 * again, the at-least-once part), and the surviving processes that completed jobs after the kill.
 */
async function crashRound(running: Running, jobs: number) {
  const client = new pg.Client({ connectionString: running.server.url });
  await client.connect();
  try {
    const completed = async (): Promise<number> => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE payload ->> 'round' = 'crash' AND status = 'completed'`,
      );
      return rows[0]?.n ?? 0;
    };
    for (let added = 0; added < jobs; added += BATCH) {
      const size = Math.min(BATCH, jobs - added);
      await running.app.enqueueMany(
        Array.from({ length: size }, () => ({
          kind: 'fleet_sleep',
          payload: { ms: JOB_MS, round: 'crash' },
        })),
      );
    }
    while ((await completed()) < jobs / 3) await sleep(50);
    const victims = running.workers.filter((_, i) => i % KILLED_EVERY === KILLED_EVERY - 1);
    const victimIds = running.workerIds.filter((_, i) => i % KILLED_EVERY === KILLED_EVERY - 1);
    const { rows: clock } = await client.query<{ now: string }>(`SELECT now()::text AS now`);
    const killedAt = clock[0]?.now;
    const killedNs = process.hrtime.bigint();
    await Promise.all(victims.map((worker) => worker.kill()));
    const deadline = Date.now() + CRASH_DEADLINE_MS;
    while ((await completed()) < jobs && Date.now() < deadline) await sleep(50);
    const drainSeconds = msSince(killedNs, process.hrtime.bigint()) / 1000;
    const { rows } = await client.query<{
      lost: number;
      completions: number;
      ran_again: number;
      survivors_working: number;
    }>(
      `SELECT count(*) FILTER (WHERE status <> 'completed')::int AS lost,
         count(completed_event_id)::int AS completions,
         count(*) FILTER (WHERE lost_attempts > 0)::int AS ran_again,
         count(DISTINCT worker_id) FILTER (WHERE completed_at > $1::timestamptz
           AND NOT worker_id = ANY($2::text[]))::int AS survivors_working
       FROM jobs WHERE payload ->> 'round' = 'crash'`,
      [killedAt, victimIds],
    );
    const outcome = rows[0];
    if (!outcome) throw new Error('the crash round read no jobs');
    return {
      killed: victims.length,
      survivors: running.workers.length - victims.length,
      drainSeconds,
      lost: outcome.lost,
      completions: outcome.completions,
      ranAgain: outcome.ran_again,
      survivorsWorking: outcome.survivors_working,
    };
  } finally {
    await client.end();
  }
}

export const fleetScenario: Scenario = {
  id: 'fleet',
  // A hundred node processes twice over, and four throwaway servers: only with --only fleet.
  optIn: true,
  title:
    'A fleet on one PostgreSQL: 1, 10, 100 worker processes and 4 API processes, direct and through PgBouncer',
  async run(context: ScenarioContext) {
    const recorder = new Recorder();
    const { fleetJobs, fleetPickups } = context.options.sizes;
    const notes: string[] = [];
    const chosen = context.options.fleets;
    const unknown = chosen.filter((id) => !FLEETS.some((spec) => spec.id === id));
    if (unknown.length > 0) {
      throw new Error(
        `unknown fleet ${unknown.join(', ')}; fleets: ${FLEETS.map((spec) => spec.id).join(', ')}`,
      );
    }
    for (const spec of FLEETS.filter((f) => (chosen.length === 0 && !f.optIn) || chosen.includes(f.id))) {
      const running = await start(spec);
      try {
        // A few jobs first: the workers' first claims and the pools' connections are not measured.
        await pickups(running, 3);
        const idle = await pickups(running, fleetPickups);
        const [p50, p99] = [0.5, 0.99].map((p) => percentile(idle.samples, p)) as [number, number];
        const run = await throughput(running, fleetJobs);
        const busyWorkers = await workersThatGotWork(running.server.url);
        context.log(
          `fleet ${spec.label}: ${run.jobsPerSecond.toFixed(0)} jobs/s, pickup p50 ${p50.toFixed(1)} p99 ${p99.toFixed(1)} ms, claims/job idle ${idle.claimsPerJob.toFixed(1)}, busy ${run.claimsPerJob.toFixed(2)}, error lines ${run.errorLines}, workers that got work ${busyWorkers}/${spec.processes}`,
        );
        recorder.record(spec, 'jobs/s', 'jobs/s', 'higher', run.jobsPerSecond);
        recorder.record(spec, 'pickup p50 (idle fleet)', 'ms', 'lower', p50);
        recorder.record(spec, 'pickup p99 (idle fleet)', 'ms', 'lower', p99);
        recorder.record(
          spec,
          'claims per job (idle fleet, one job at a time)',
          'claims',
          'lower',
          idle.claimsPerJob,
        );
        recorder.record(spec, 'claims per job (throughput run)', 'claims', 'lower', run.claimsPerJob);
        recorder.record(spec, 'error lines in the logs', 'lines', 'lower', run.errorLines);
        recorder.record(spec, 'worker processes that got work', 'processes', 'higher', busyWorkers);
        const crashJobs = Math.ceil(fleetJobs / 4);
        const crash = spec.crashRound
          ? await crashRound(running, crashJobs).catch((error: unknown) => {
              // The other fleets still run: the failure is in the notes, not hidden.
              const message = error instanceof Error ? error.message : String(error);
              notes.push(`${spec.label}: the crash round failed: ${message}`);
              context.log(`fleet ${spec.label}, crash round failed: ${message}`);
              return null;
            })
          : null;
        if (crash) {
          const crashErrorLines = errorLines(running) - run.errorLines;
          context.log(
            `fleet ${spec.label}, crash round: ${crashJobs} jobs, ${crash.killed} processes killed (-9) at a third; lost ${crash.lost}, completions ${crash.completions}/${crashJobs}, re-queued from the killed ${crash.ranAgain}, survivors that completed jobs after the kill ${crash.survivorsWorking}/${crash.survivors}, all done ${crash.drainSeconds.toFixed(1)} s after the kill, error lines ${crashErrorLines}`,
          );
          recorder.record(spec, 'crash round: error lines in the logs', 'lines', 'lower', crashErrorLines);
          recorder.record(spec, 'crash round: jobs lost (a third killed -9)', 'jobs', 'lower', crash.lost);
          recorder.record(
            spec,
            'crash round: completions per job',
            'completions',
            'lower',
            crash.completions / crashJobs,
          );
          recorder.record(
            spec,
            'crash round: jobs re-queued from the killed processes',
            'jobs',
            'lower',
            crash.ranAgain,
          );
          recorder.record(
            spec,
            'crash round: survivors that completed jobs after the kill',
            'processes',
            'higher',
            crash.survivorsWorking,
          );
          recorder.record(
            spec,
            'crash round: seconds from the kill to the last job',
            's',
            'lower',
            crash.drainSeconds,
          );
        }
      } finally {
        await stop(running);
      }
    }
    notes.push(
      `${fleetJobs.toLocaleString('en')} jobs of ${JOB_MS} ms enqueued in batches of ${BATCH}; workers run concurrency ${CONCURRENCY}, default poll interval (1 s) and prefetch; pickup from ${fleetPickups} jobs added one at a time to the idle fleet. A throwaway PostgreSQL per fleet (max_connections 100; 150 behind PgBouncer, whose 104 LISTEN sessions go straight to the server; 250 for the direct 100-process fleet, which needs a LISTEN session and a pooled connection per process; 100 for the WAKE_UPS=redis fleet, which holds no LISTEN session); PgBouncer 1.18, transaction mode, default_pool_size 20. The 100-process fleets (and fleet-10-direct-pool10-crash) then run a crash round: ${Math.ceil(fleetJobs / 4).toLocaleString('en')} more jobs, every ${KILLED_EVERY}rd worker process killed with SIGKILL once a third of them are completed, the jobs table checked once all are (lost, completions per job, jobs re-queued from the killed processes, survivors that kept completing).`,
    );
    return { id: this.id, title: this.title, notes, measurements: recorder.summarize() };
  },
};
