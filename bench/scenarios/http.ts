/**
 * HTTP: requests/s and p99 latency of a job status read (`GET /api/presentations/jobs/{id}` with a
 * Bearer key) beside a hello-world route on the same Fastify server, the ceiling any route of that
 * server can reach. The server runs in a process of its own (bench/workers/api-server.ts, no
 * workers, no rate limit); autocannon loads it from the bench process.
 */
import autocannon from 'autocannon';
import { messageText, WorkerProcess } from '../lib/child-process.js';
import { Recorder } from '../lib/results.js';
import { dialectOf, scratchDatabase } from '../lib/scratch-database.js';
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

async function measureOnce(system: QueueSystem, run: number, context: ScenarioContext, recorder: Recorder) {
  const { httpConnections: connections, httpSeconds: seconds } = context.options.sizes;
  const database = scratchDatabase(dialectOf(system), 'rq_http');
  const server = new WorkerProcess(
    benchScript('api-server.ts', { ...database.env, LOG_LEVEL: 'warn' }, context.nodeFlags),
  );
  try {
    const ready = await server.next('ready');
    const status: Target = {
      url: messageText(ready, 'statusUrl'),
      headers: { authorization: `Bearer ${messageText(ready, 'apiKey')}` },
    };
    const hello: Target = { url: messageText(ready, 'helloUrl'), headers: {} };
    const spread: Target = { ...status, paths: messageText(ready, 'spreadPaths').split(',') };
    // Alternate which route goes first, so a drift in machine load does not always favour one.
    const order = run % 2 === 1 ? [status, spread, hello] : [hello, spread, status];
    for (const target of order) await load(target, WARM_UP_SECONDS, connections);
    const loads = new Map<Target, Load>();
    for (const target of order) loads.set(target, await load(target, seconds, connections));
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
  } finally {
    await server.stop();
    await database.remove();
  }
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
      }
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `autocannon (${httpConnections} connections, no pipelining) for ${httpSeconds} s per route after a ${WARM_UP_SECONDS} s warm-up of each, from the bench process; the server is \`startService\` (no workers, RATE_LIMIT_PER_MINUTE=0, default pool) in its own process on a fresh database, started anew for every run.`,
        'Status read: `GET /api/presentations/jobs/{id}` of a pending job with its owner’s Bearer key (key check, job read, queue position, response schema); every client reads the same job. Over 200 jobs: the same, each request for the next of the owner’s 200 pending jobs in turn (positions 0–199). Hello-world: `GET /bench/hello` → `{"hello":"world"}`, registered on the same Fastify instance for the bench only (global hooks such as the metrics one apply, the /api key check does not). req/s counts 2xx answers; p99 is autocannon’s.',
      ],
      measurements: recorder.summarize(),
    };
  },
};
