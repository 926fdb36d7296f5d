/**
 * graphile-worker, with its defaults and in its batched mode (local queue of 500, completions
 * batched with a 0 ms delay — the configuration of its own performance page).
 */
import { Logger, makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { dropSchema, POSTGRES_URL, uniqueName } from '../lib/services.js';
import {
  benchScript,
  type JobPurpose,
  type QueueStore,
  type QueueSystem,
  type WorkerRequest,
} from './types.js';

export const silentGraphileLogger = new Logger(() => () => undefined);

class GraphileStore implements QueueStore {
  static async open(batched: boolean): Promise<GraphileStore> {
    const schema = uniqueName('gw');
    const utils = await makeWorkerUtils({
      connectionString: POSTGRES_URL,
      schema,
      logger: silentGraphileLogger,
    });
    await utils.migrate();
    const counter = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
    return new GraphileStore(schema, utils, counter, batched);
  }

  private constructor(
    private readonly schema: string,
    private readonly utils: WorkerUtils,
    private readonly counter: pg.Pool,
    private readonly batched: boolean,
  ) {}

  async addOne(purpose: JobPurpose): Promise<void> {
    await this.utils.addJob(purpose, {});
  }

  async addMany(count: number, purpose: JobPurpose): Promise<void> {
    await this.utils.addJobs(Array.from({ length: count }, () => ({ identifier: purpose, payload: {} })));
  }

  async unfinished(): Promise<number> {
    // Completed jobs are deleted; what is left is waiting or running.
    const { rows } = await this.counter.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${pg.escapeIdentifier(this.schema)}._private_jobs`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  worker(request: WorkerRequest) {
    return benchScript(
      'graphile-worker.ts',
      {
        BENCH_DATABASE_URL: POSTGRES_URL,
        BENCH_SCHEMA: this.schema,
        BENCH_MODE: request.mode,
        BENCH_CONCURRENCY: String(request.concurrency),
        BENCH_BATCHED: this.batched ? '1' : '0',
      },
      request.nodeFlags,
    );
  }

  async close(): Promise<void> {
    await this.utils.release();
    await this.counter.end();
    await dropSchema(this.schema);
  }
}

export const graphileWorker: QueueSystem = {
  id: 'graphile',
  label: 'graphile-worker (defaults)',
  role: 'peer',
  scenarios: ['throughput', 'pickup', 'enqueue'],
  open: () => GraphileStore.open(false),
};

export const graphileWorkerBatched: QueueSystem = {
  id: 'graphile-batched',
  label: 'graphile-worker (batched)',
  role: 'peer',
  scenarios: ['throughput'],
  open: () => GraphileStore.open(true),
};
