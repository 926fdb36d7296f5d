/**
 * reelqueue on PostgreSQL and on SQLite. Throughput runs the real CLI worker
 * (`node dist/cli/main.js worker -c N`); pickup runs bench/workers/reelqueue-worker.ts, which registers
 * the ping kind through `createReelqueue(config, { kinds })`.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import pg from 'pg';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { IS_PENDING, IS_RUNNING } from '../../src/db/status-predicates.js';
import type { NewJob } from '../../src/jobs/model.js';
import type { ProcessSpec } from '../lib/child-process.js';
import { dropSchema, POSTGRES_URL, tempDirectory, uniqueName } from '../lib/services.js';
import { PING_KIND, pingKind } from '../workers/ping-kind.js';
import {
  benchScript,
  type JobPurpose,
  type QueueStore,
  type QueueSystem,
  type WorkerRequest,
} from './types.js';

export const REELQUEUE_CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
/** Pending plus running jobs, each counted from its partial index (no index holds every job's status). */
export const UNFINISHED = `SELECT (SELECT count(*) FROM jobs WHERE ${IS_PENDING})
  + (SELECT count(*) FROM jobs WHERE ${IS_RUNNING}) AS n`;

const jobFor = (purpose: JobPurpose): NewJob => ({ kind: purpose === 'ping' ? PING_KIND : 'noop' });

/** Settings shared by the parent (which adds jobs) and the worker process. */
function storeEnv(databaseUrl: string, schema: string | null): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    ...(schema ? { DATABASE_SCHEMA: schema } : {}),
    LOG_LEVEL: 'warn',
    POLL_INTERVAL_MS: '1000',
  };
}

abstract class ReelqueueStore implements QueueStore {
  protected constructor(
    protected readonly app: Reelqueue,
    protected readonly env: Record<string, string>,
  ) {}

  async addOne(purpose: JobPurpose): Promise<void> {
    await this.app.enqueue(jobFor(purpose));
  }

  async addMany(count: number, purpose: JobPurpose): Promise<void> {
    await this.app.enqueueMany(Array.from({ length: count }, () => jobFor(purpose)));
  }

  abstract unfinished(): Promise<number>;
  abstract close(): Promise<void>;

  worker(request: WorkerRequest): ProcessSpec {
    if (request.mode === 'pickup') {
      return benchScript(
        'reelqueue-worker.ts',
        { ...this.env, BENCH_CONCURRENCY: String(request.concurrency) },
        [...request.nodeFlags],
      );
    }
    return {
      command: process.execPath,
      args: [...request.nodeFlags, REELQUEUE_CLI, 'worker', '-c', String(request.concurrency), '--json'],
      env: this.env,
      channel: 'stdout-json',
    };
  }
}

async function openApp(env: Record<string, string>): Promise<Reelqueue> {
  const { LOG_LEVEL: _ignored, ...settings } = env;
  return createReelqueue(loadConfig({}, { ...settings, LOG_LEVEL: 'silent' }), { kinds: [pingKind()] });
}

class ReelqueuePostgresStore extends ReelqueueStore {
  static async open(): Promise<ReelqueuePostgresStore> {
    const schema = uniqueName('rq');
    const env = storeEnv(POSTGRES_URL, schema);
    const app = await openApp(env);
    const counter = new pg.Pool({
      connectionString: POSTGRES_URL,
      max: 1,
      options: `-c search_path=${schema}`,
    });
    return new ReelqueuePostgresStore(app, env, schema, counter);
  }

  private constructor(
    app: Reelqueue,
    env: Record<string, string>,
    private readonly schema: string,
    private readonly counter: pg.Pool,
  ) {
    super(app, env);
  }

  async unfinished(): Promise<number> {
    const { rows } = await this.counter.query<{ n: string }>(UNFINISHED);
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.counter.end();
    await dropSchema(this.schema);
  }
}

class ReelqueueSqliteStore extends ReelqueueStore {
  /** True: the worker process adds each job (the in-process wake-up); false: the bench process does (the wake file). */
  readonly embeddedProducer: boolean;

  static async open(embedded: boolean): Promise<ReelqueueSqliteStore> {
    const directory = tempDirectory('rq_sqlite');
    const file = path.join(directory.dir, 'reelqueue.db');
    const env = storeEnv(`sqlite:${file}`, null);
    const app = await openApp(env);
    const counter = new Database(file, { fileMustExist: true });
    return new ReelqueueSqliteStore(app, env, counter, directory.remove, embedded);
  }

  private readonly count: Database.Statement;

  private constructor(
    app: Reelqueue,
    env: Record<string, string>,
    private readonly counter: Database.Database,
    private readonly remove: () => void,
    embedded: boolean,
  ) {
    super(app, env);
    this.count = counter.prepare(UNFINISHED);
    this.embeddedProducer = embedded;
  }

  async unfinished(): Promise<number> {
    return (this.count.get() as { n: number }).n;
  }

  async close(): Promise<void> {
    await this.app.close();
    this.counter.close();
    this.remove();
  }
}

const ALL = ['throughput', 'pickup', 'enqueue', 'scale', 'http', 'status-cache', 'streaming'];

export const reelqueuePostgres: QueueSystem = {
  id: 'reelqueue-pg',
  label: 'reelqueue (PostgreSQL)',
  role: 'reelqueue',
  scenarios: ALL,
  open: () => ReelqueuePostgresStore.open(),
};

export const reelqueueSqlite: QueueSystem = {
  id: 'reelqueue-sqlite',
  label: 'reelqueue (SQLite)',
  role: 'reelqueue',
  scenarios: ALL,
  open: () => ReelqueueSqliteStore.open(true),
};

/** SQLite with the producer in another process: the worker hears of new jobs through the wake file. */
export const reelqueueSqliteCrossProcess: QueueSystem = {
  id: 'reelqueue-sqlite-xproc',
  label: 'reelqueue (SQLite, producer in another process)',
  role: 'reelqueue',
  scenarios: ['pickup'],
  open: () => ReelqueueSqliteStore.open(false),
};
