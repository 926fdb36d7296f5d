/**
 * Status cache: job status reads in process (`app.jobs.getWithPosition`, what every status route
 * calls), without Redis and with REDIS_URL (served from Redis), on a fresh database of each kind:
 * the read alone, without HTTP, whose costs hide it in the http scenario.
 */
import { createReelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/logger.js';
import { Recorder } from '../lib/results.js';
import { dialectOf, scratchDatabase } from '../lib/scratch-database.js';
import { REDIS_URL } from '../lib/services.js';
import type { QueueSystem } from '../systems/types.js';
import { systemsFor, type Scenario, type ScenarioContext } from './types.js';

/** Readers at once, as the http scenario's connections. */
const READERS = 50;
const JOBS = 200;

async function readsPerSecond(system: QueueSystem, redisUrl: string | null, seconds: number) {
  const database = scratchDatabase(dialectOf(system), 'rq_cache');
  const settings = redisUrl ? { ...database.env, REDIS_URL: redisUrl } : database.env;
  const app = await createReelqueue(loadConfig({}, settings), {
    logger: silentLogger(),
    defaultKinds: false,
  });
  try {
    const jobs = await app.enqueueMany(Array.from({ length: JOBS }, () => ({ kind: 'noop' })));
    const ids = jobs.map((r) => r.job.id);
    for (const id of ids) await app.jobs.getWithPosition(id, ALL_JOBS); // fills the cache
    let reads = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: READERS }, async (_, reader) => {
        for (let i = reader; performance.now() - start < seconds * 1000; i++, reads++) {
          await app.jobs.getWithPosition(ids[i % JOBS]!, ALL_JOBS);
        }
      }),
    );
    return reads / ((performance.now() - start) / 1000);
  } finally {
    await app.close();
    await database.remove();
  }
}

export const statusCacheScenario: Scenario = {
  id: 'status-cache',
  title: 'Status cache (job status reads in process, without and with Redis)',
  async run(context: ScenarioContext) {
    const recorder = new Recorder();
    const { runs, httpSeconds: seconds } = context.options.sizes;
    for (let run = 1; run <= runs; run++) {
      for (const system of systemsFor(context, 'status-cache')) {
        // Alternate which goes first, so a drift in machine load does not always favour one.
        const order = run % 2 === 1 ? [null, REDIS_URL] : [REDIS_URL, null];
        const figures = new Map<string | null, number>();
        for (const redisUrl of order) figures.set(redisUrl, await readsPerSecond(system, redisUrl, seconds));
        const [database, cached] = [figures.get(null)!, figures.get(REDIS_URL)!];
        recorder.record(system, 'status reads/s, database', 'reads/s', 'higher', database);
        recorder.record(system, 'status reads/s, Redis cache', 'reads/s', 'higher', cached);
        recorder.record(system, 'Redis cache ÷ database', '×', 'higher', cached / database);
        context.log(
          `status-cache run ${run}/${runs} ${system.id}: database ${database.toFixed(0)} reads/s, Redis cache ${cached.toFixed(0)} reads/s`,
        );
      }
    }
    return {
      id: this.id,
      title: this.title,
      notes: [
        `${READERS} readers at once in the bench process, each reading the next of ${JOBS} pending jobs in turn with \`app.jobs.getWithPosition\` (job and queue position) for ${seconds} s, on a fresh database per measurement; every job read once before (with Redis, that fills its entry; nothing writes during the load, so every read is a hit). With Redis: REDIS_URL=${REDIS_URL}, STATUS_CACHE_SECONDS default.`,
      ],
      measurements: recorder.summarize(),
    };
  },
};
