/** pg-boss 10 (the newest major that runs on Node 20), one queue per run in a fresh schema. */
import PgBoss from 'pg-boss';
import pg from 'pg';
import { dropSchema, POSTGRES_URL, uniqueName } from '../lib/services.js';
import { benchScript, type QueueStore, type QueueSystem, type WorkerRequest } from './types.js';

export const PG_BOSS_QUEUE = 'bench';

class PgBossStore implements QueueStore {
  readonly pollsOnly = true;

  static async open(): Promise<PgBossStore> {
    const schema = uniqueName('pgboss');
    const boss = new PgBoss({ connectionString: POSTGRES_URL, schema, supervise: false, schedule: false });
    boss.on('error', (error) => console.error('pg-boss (producer):', error));
    await boss.start();
    await boss.createQueue(PG_BOSS_QUEUE);
    const counter = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
    return new PgBossStore(schema, boss, counter);
  }

  private constructor(
    private readonly schema: string,
    private readonly boss: PgBoss,
    private readonly counter: pg.Pool,
  ) {}

  async addOne(): Promise<void> {
    await this.boss.send(PG_BOSS_QUEUE, {});
  }

  async addMany(count: number): Promise<void> {
    await this.boss.insert(Array.from({ length: count }, () => ({ name: PG_BOSS_QUEUE, data: {} })));
  }

  async unfinished(): Promise<number> {
    const { rows } = await this.counter.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${pg.escapeIdentifier(this.schema)}.job
       WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
      [PG_BOSS_QUEUE],
    );
    return Number(rows[0]?.n ?? 0);
  }

  worker(request: WorkerRequest) {
    return benchScript(
      'pg-boss-worker.ts',
      {
        BENCH_DATABASE_URL: POSTGRES_URL,
        BENCH_SCHEMA: this.schema,
        BENCH_MODE: request.mode,
        BENCH_CONCURRENCY: String(request.concurrency),
      },
      request.nodeFlags,
    );
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true });
    await this.counter.end();
    await dropSchema(this.schema);
  }
}

export const pgBoss: QueueSystem = {
  id: 'pg-boss',
  label: 'pg-boss 10',
  role: 'peer',
  scenarios: ['throughput', 'pickup', 'enqueue'],
  open: () => PgBossStore.open(),
};
