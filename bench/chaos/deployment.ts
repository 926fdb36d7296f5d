/**
 * One reelqueue deployment for a chaos scenario: a database of its own (a new SQLite file, or a new
 * schema on the battery's throwaway PostgreSQL), the settings its processes share, an in-process
 * handle to enqueue and inspect jobs, and helpers that start real `reelqueue` processes on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createReelqueue, type Reelqueue } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import type { Job, JobEvent } from '../../src/jobs/model.js';
import { silentLogger } from '../../src/logger.js';
import { defaultKinds } from '../../src/default-kinds.js';
import { WorkerProcess } from '../../test/support/worker-process.js';
import type { ChaosDb } from './options.js';

/** Where a deployment's database lives: SQLite needs nothing, PostgreSQL the throwaway server's URL. */
export type DatabaseTarget = { dialect: 'sqlite' } | { dialect: 'postgres'; url: string };

export interface Deployment {
  readonly dialect: ChaosDb;
  /** Settings every process of this deployment gets (database, timings, Redis). */
  readonly env: Record<string, string>;
  readonly app: Reelqueue;
  readonly workers: WorkerProcess[];
  startWorker(args?: string[], extraEnv?: Record<string, string>): Promise<WorkerProcess>;
  /** Every job (id order), read through the store. */
  allJobs(): Promise<Job[]>;
  events(jobId: string): Promise<JobEvent[]>;
  close(): Promise<void>;
}

export async function openDeployment(
  target: DatabaseTarget,
  settings: Record<string, string>,
): Promise<Deployment> {
  const tag = randomBytes(5).toString('hex');
  const dir = mkdtempSync(path.join(tmpdir(), 'reelqueue-chaos-'));
  const schema = `chaos_${tag}`;
  const dbEnv: Record<string, string> =
    target.dialect === 'sqlite'
      ? { DATABASE_URL: `sqlite:${path.join(dir, 'chaos.db')}` }
      : { DATABASE_URL: target.url, DATABASE_SCHEMA: schema };
  const env = { ...dbEnv, DATA_DIR: dir, ...settings };
  const app = await createReelqueue(loadConfig({}, { ...env, LOG_LEVEL: 'silent' }), {
    logger: silentLogger(),
    kinds: defaultKinds,
  });
  const workers: WorkerProcess[] = [];

  return {
    dialect: target.dialect,
    env,
    app,
    workers,
    async startWorker(args = [], extraEnv = {}) {
      const worker = new WorkerProcess({ ...env, ...extraEnv }, args);
      workers.push(worker);
      await worker.started(60_000);
      return worker;
    },
    async allJobs() {
      const jobs: Job[] = [];
      let cursor: string | null = null;
      do {
        const page = await app.jobs.list({ includeFinished: true, limit: 100, cursor }, ALL_JOBS);
        jobs.push(...page.jobs);
        cursor = page.nextCursor;
      } while (cursor);
      return jobs;
    },
    events: (jobId) => app.jobs.listEvents(jobId, FROM_THE_START, 10_000),
    async close() {
      for (const worker of workers.splice(0)) {
        worker.signal('SIGCONT');
        await worker.stop().catch(() => worker.child.kill('SIGKILL'));
      }
      await app.close();
      if (target.dialect === 'postgres') {
        const client = new pg.Client({ connectionString: target.url });
        client.on('error', () => undefined);
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
        await client.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
