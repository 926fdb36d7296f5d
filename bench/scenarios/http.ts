/**
 * HTTP: requests/s and p99 latency of a job status read (`GET /api/presentations/jobs/{id}` with a
 * Bearer key) beside a hello-world route on the same Fastify server, the ceiling any route of that
 * server can reach. The server runs in a process of its own (bench/workers/api-server.ts, no
 * workers, no rate limit); autocannon loads it from the bench process. Each run measures the status
 * reads twice: without Redis, then on a server with REDIS_URL, whose status reads come from Redis.
 */
import autocannon from 'autocannon';
import { messageText, WorkerProcess } from '../lib/child-process.js';
import { Recorder } from '../lib/results.js';
import { dialectOf, scratchDatabase } from '../lib/scratch-database.js';
import { REDIS_URL } from '../lib/services.js';
import { benchScript, type QueueSystem } from '../systems/types.js';
import { systemsFor, type Scenario, type ScenarioContext } from './types.js';

const WARM_UP_SECONDS = 1;

export interface Load {
  perSecond: number;
  p99Ms: number;
}

export interface Target {
  url: string;
  headers: Record<string, string>;
  /** Paths to cycle through, one per request, instead of the URL's own. */
  paths?: readonly string[];
}

/** Loads one URL for `seconds`; any error or non-2xx answer fails the run (e.g. a rate limit). */
export async function load(target: Target, seconds: number, connections: number): Promise<Load> {
  const { paths, ...options } = target;
  let next = 0;
  const requests = paths && [
    { setupRequest: (request: object) => ({ ...request, path: paths[next++ % paths.length] }) },
  ];
  const result = await autocannon({
    ...options,
    ...(requests && { requests }),
    connections,
    duration: seconds,
  });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(
      `${target.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors (${result.timeouts} timeouts)`,
    );
  }
  return { perSecond: result['2xx'] / result.duration, p99Ms: result.latency.p99 };
}

interface ServerTargets {
  status: Target;
  spread: Target;
  hello: Target;
}

/** Starts the API server on a fresh database, runs `measure` on its targets, then removes both. */
async function withServer<T>(
  system: QueueSystem,
  context: ScenarioContext,
  env: Record<string, string>,
  measure: (targets: ServerTargets) => Promise<T>,
): Promise<T> {
  const database = scratchDatabase(dialectOf(system), 'rq_http');
  const server = new WorkerProcess(
    benchScript('api-server.ts', { ...database.env, ...env, LOG_LEVEL: 'warn' }, context.nodeFlags),
  );
  try {
    const ready = await server.next('ready');
    const status: Target = {
      url: messageText(ready, 'statusUrl'),
      headers: { authorization: `Bearer ${messageText(ready, 'apiKey')}` },
    };
    const spread: Target = { ...status, paths: messageText(ready, 'spreadPaths').split(',') };
    return await measure({ status, spread, hello: { url: messageText(ready, 'helloUrl'), headers: {} } });
  } finally {
    await server.stop();
    await database.remove();
  }
}

/** Warms every target up, then loads each in turn. */
async function loadAll(targets: readonly Target[], context: ScenarioContext): Promise<Map<Target, Load>> {
  const { httpConnections: connections, httpSeconds: seconds } = context.options.sizes;
  for (const target of targets) await load(target, WARM_UP_SECONDS, connections);
  const loads = new Map<Target, Load>();
  for (const target of targets) loads.set(target, await load(target, seconds, connections));
  return loads;
}

function measureOnce(system: QueueSystem, run: number, context: ScenarioContext, recorder: Recorder) {
  return withServer(system, context, {}, async ({ status, spread, hello }) => {
    // Alternate which route goes first, so a drift in machine load does not always favour one.
    const loads = await loadAll(run % 2 === 1 ? [status, spread, hello] : [hello, spread, status], context);
    const statusLoad = loads.get(status) as Load;
    const spreadLoad = loads.get(spread) as Load;
    const helloLoad = loads.get(hello) as Load;
    const ratio = statusLoad.perSecond / helloLoad.perSecond;
    recorder.record(system, 'status reads/s', 'req/s', 'higher', statusLoad.perSecond);
    recorder.record(system, 'status read p99', 'ms', 'lower', statusLoad.p99Ms);
    recorder.record(system, 'hello-world req/s', 'req/s', 'higher', helloLoad.perSecond);
    recorder.record(system, 'hello-world p99', 'ms', 'lower', helloLoad.p99Ms);
    recorder.record(system, 'status ÷ hello-world req/s', '×', 'higher', ratio);
    recorder.record(system, 'status reads/s, 200 jobs', 'req/s', 'higher', spreadLoad.perSecond);
    recorder.record(system, 'status read p99, 200 jobs', 'ms', 'lower', spreadLoad.p99Ms);
    recorder.record(
      system,
      'status ÷ hello-world req/s, 200 jobs',
      '×',
      'higher',
      spreadLoad.perSecond / helloLoad.perSecond,
    );
    return `status ${statusLoad.perSecond.toFixed(0)} req/s (p99 ${statusLoad.p99Ms} ms), over 200 jobs ${spreadLoad.perSecond.toFixed(0)} req/s (p99 ${spreadLoad.p99Ms} ms), hello ${helloLoad.perSecond.toFixed(0)} req/s (p99 ${helloLoad.p99Ms} ms), ratio ${ratio.toFixed(2)}`;
  });
}

/** The same status reads on a server with REDIS_URL: served from Redis once the first read filled it. */
function measureCachedOnce(system: QueueSystem, run: number, context: ScenarioContext, recorder: Recorder) {
  return withServer(system, context, { REDIS_URL }, async ({ status, spread }) => {
    const loads = await loadAll(run % 2 === 1 ? [status, spread] : [spread, status], context);
    const statusLoad = loads.get(status) as Load;
    const spreadLoad = loads.get(spread) as Load;
    recorder.record(system, 'status reads/s, Redis cache', 'req/s', 'higher', statusLoad.perSecond);
    recorder.record(system, 'status read p99, Redis cache', 'ms', 'lower', statusLoad.p99Ms);
    recorder.record(system, 'status reads/s, 200 jobs, Redis cache', 'req/s', 'higher', spreadLoad.perSecond);
    recorder.record(system, 'status read p99, 200 jobs, Redis cache', 'ms', 'lower', spreadLoad.p99Ms);
    return `with the Redis cache: status ${statusLoad.perSecond.toFixed(0)} req/s (p99 ${statusLoad.p99Ms} ms), over 200 jobs ${spreadLoad.perSecond.toFixed(0)} req/s (p99 ${spreadLoad.p99Ms} ms)`;
  });
}

export const httpScenario: Scenario = {
  id: 'http',
  title: 'HTTP (job status reads vs a hello-world route on the same server)',
  async run(context) {
    const recorder = new Recorder();
    const { runs, httpConnections, httpSeconds } = context.options.sizes;
    for (let run = 1; run <= runs; run++) {
      for (const system of systemsFor(context, 'http')) {
        const figures = await measureOnce(system, run, context, recorder);
        context.log(`http run ${run}/${runs} ${system.id}: ${figures}`);
        const cached = await measureCachedOnce(system, run, context, recorder);
        context.log(`http run ${run}/${runs} ${system.id}: ${cached}`);
      }
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `autocannon (${httpConnections} connections, no pipelining) for ${httpSeconds} s per route after a ${WARM_UP_SECONDS} s warm-up of each, from the bench process; the server is \`startService\` (no workers, RATE_LIMIT_PER_MINUTE=0, default pool) in its own process on a fresh database, started anew for every run.`,
        'Status read: `GET /api/presentations/jobs/{id}` of a pending job with its owner’s Bearer key (key check, job read, queue position, response schema); every client reads the same job. Over 200 jobs: the same, each request for the next of the owner’s 200 pending jobs in turn (positions 0–199). Hello-world: `GET /bench/hello` → `{"hello":"world"}`, registered on the same Fastify instance for the bench only (global hooks such as the metrics one apply, the /api key check does not). req/s counts 2xx answers; p99 is autocannon’s.',
        `Redis cache: the same two status loads on a second server started with REDIS_URL=${REDIS_URL} (STATUS_CACHE_SECONDS default): every read after the first of each job is a Redis hit, as nothing writes during the load (a pending job's entry lasts until any write changes the queue).`,
      ],
      measurements: recorder.summarize(),
    };
  },
};
