import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SettingsInput } from '../../src/config.js';
import { readMigrationFiles } from '../../src/db/migration-files.js';
import { ALL_JOBS, FROM_THE_START } from '../../src/jobs/store.js';
import { countRows } from '../support/db-fixtures.js';
import { DIALECT, withPostgresClient, type TestDatabase } from '../support/test-database.js';
import { mustGet, useConformanceDatabase } from '../support/conformance.js';

const SEED_COLUMNS = [
  'id',
  'lesson_id',
  'user_id',
  'status',
  'priority',
  'progress',
  'message',
  'created_at',
  'started_at',
  'completed_at',
  'timeout_seconds',
  'presentation_id',
  'slide_count',
  'result_data',
  'retry_count',
  'max_retries',
  'error_code',
  'error_message',
  'error_details',
  'style',
  'use_llm_polish',
  'worker_id',
  'queue_position',
  'processing_time_seconds',
  'video_url',
  'thumbnail_url',
  'slide_image_path',
  'last_heartbeat',
  'created_files',
  // Seed 000's key and error text, and its 0.0-1.0 progress (migration 0025).
  'job_id',
  'error',
  'progress_fraction',
];

/** The versions of a dialect's migration files (numbering may skip: each dialect has its own). */
function migrationVersions(t: TestDatabase): number[] {
  const dir = new URL(`../../src/db/${t.dialect}/migrations/`, import.meta.url);
  return readdirSync(dir)
    .filter((file) => /^\d{4}_.*\.sql$/.test(file))
    .map((file) => Number(file.slice(0, 4)))
    .sort((a, b) => a - b);
}

function migrationCount(t: TestDatabase): number {
  return migrationVersions(t).length;
}

async function appliedVersions(t: TestDatabase): Promise<number[]> {
  const rows = await t.sql<{ version: number }>({
    sqlite: 'SELECT version FROM schema_migrations ORDER BY version',
    postgres: 'SELECT version FROM schema_migrations ORDER BY version',
  });
  return rows.map((row) => Number(row.version));
}

/** Settings for an empty database next to the test's own (a new file, or a new schema). */
function freshDatabase(t: TestDatabase): { settings: SettingsInput; drop: () => Promise<void> } {
  if (t.dialect === 'sqlite') {
    const file = path.join(path.dirname(t.env.DATABASE_URL!.slice('sqlite:'.length)), 'fresh.db');
    return { settings: { DATABASE_URL: `sqlite:${file}` }, drop: async () => undefined };
  }
  const schema = `rq_fresh_${randomBytes(6).toString('hex')}`;
  return {
    settings: { DATABASE_SCHEMA: schema },
    drop: async () => {
      await t.sql({ sqlite: 'SELECT 1', postgres: `DROP SCHEMA IF EXISTS ${schema} CASCADE` });
    },
  };
}

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Another process holds the write lock of a SQLite file for `holdMs` (as a racing migrator would);
 * resolves once the lock is taken.
 */
async function holdSqliteWriteLock(
  file: string,
  options: { wal: boolean; holdMs: number },
): Promise<ChildProcess> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(file)});
    ${options.wal ? "db.pragma('journal_mode = WAL');" : ''}
    db.exec('BEGIN IMMEDIATE');
    db.exec('CREATE TABLE other_process_work (a)');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${options.holdMs});`;
  const child = spawn(process.execPath, ['-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return child;
}

describe.runIf(DIALECT === 'sqlite')('SQLite start-up while another process holds the lock', () => {
  const ctx = useConformanceDatabase();

  for (const wal of [false, true]) {
    it(`opening and migrating a fresh ${wal ? 'WAL' : 'new'} file waits for the lock instead of failing with SQLITE_BUSY`, async () => {
      const { t } = ctx();
      const fresh = freshDatabase(t);
      await holdSqliteWriteLock(fresh.settings.DATABASE_URL!.toString().slice('sqlite:'.length), {
        wal,
        holdMs: 300,
      });
      const db = await t.reopen(fresh.settings);
      const report = await db.migrate();
      expect(report.applied).toHaveLength(migrationCount(t));
    });
  }
});

describe('migrations', () => {
  const ctx = useConformanceDatabase();

  it('running migrate again is a no-op that keeps the data', async () => {
    const { t, store, jobs } = ctx();
    const job = await jobs.completed();
    const versions = await appliedVersions(t);
    expect(versions).toHaveLength(migrationCount(t));
    const report = await t.db.migrate();
    expect(report).toEqual({ applied: [], alreadyApplied: migrationCount(t), checksumsUpdated: [] });
    expect(await appliedVersions(t)).toEqual(versions);
    expect(await mustGet(store, job.id)).toEqual(job);
  });

  it('two processes migrating a fresh database at once both succeed, applying each migration once', async () => {
    const { t } = ctx();
    const fresh = freshDatabase(t);
    try {
      const [a, b] = [await t.reopen(fresh.settings), await t.reopen(fresh.settings)];
      const [reportA, reportB] = await Promise.all([a.migrate(), b.migrate()]);
      const applied = [...reportA.applied, ...reportB.applied].map((m) => m.version).sort((x, y) => x - y);
      expect(applied).toEqual(migrationVersions(t));
      const enqueued = await b.jobs.enqueue(ctx().jobs.resolve({ kind: 'noop' }));
      expect(await a.jobs.get(enqueued.job.id, ALL_JOBS)).toEqual(enqueued.job);
      expect(await countRows(t, 'jobs')).toBe(0);
    } finally {
      await fresh.drop();
    }
  });

  it('the presentation_jobs view selects the seeds’ columns, for presentation jobs only', async () => {
    const { t, store, jobs } = ctx();
    const { lease } = await jobs.running({
      kind: 'presentation',
      payload: { style: 'modern', use_llm_polish: true },
      lessonId: 'lesson-1',
      userId: 'alice',
    });
    const done = await store.complete(lease, {
      presentation_id: 'pres-1',
      slide_count: 7,
      slide_image_path: '/data/slides',
      created_files: ['a.mp4'],
    });
    const waiting = await jobs.pending({ kind: 'presentation', priority: 'high' });
    await jobs.pending({ kind: 'noop' });

    const rows = await t.sql<Record<string, unknown>>({
      sqlite: 'SELECT * FROM presentation_jobs ORDER BY status',
      postgres: 'SELECT * FROM presentation_jobs ORDER BY status',
    });
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0]!)).toEqual(SEED_COLUMNS);
    const [completed, pending] = rows;
    expect(completed).toMatchObject({
      id: done.id,
      lesson_id: 'lesson-1',
      user_id: 'alice',
      status: 'completed',
      priority: 'normal',
      progress: 100,
      presentation_id: 'pres-1',
      slide_count: 7,
      style: 'modern',
      slide_image_path: '/data/slides',
      video_url: `/api/videos/${done.id}`,
      thumbnail_url: `/api/videos/${done.id}/thumbnail`,
      queue_position: null,
      retry_count: 0,
    });
    expect(Boolean(completed!.use_llm_polish)).toBe(true);
    expect(pending).toMatchObject({
      id: waiting.id,
      status: 'pending',
      priority: 'high',
      style: 'default',
      video_url: null,
    });
    expect(Number(pending!.queue_position)).toBe(0);
    expect(Boolean(pending!.use_llm_polish)).toBe(false);
  });
});

describe.runIf(DIALECT === 'sqlite')('SQLite upgrade through the table rebuild of migration 0009', () => {
  const ctx = useConformanceDatabase();

  it('keeps every job, event, artifact and delivery, and every constraint', async () => {
    const { t } = ctx();
    const fresh = freshDatabase(t);
    const file = String(fresh.settings.DATABASE_URL).slice('sqlite:'.length);
    // The database as release 0005 left it, with a job of each kind of child row.
    const old = new Database(file);
    const files = readMigrationFiles(new URL('../../src/db/sqlite/migrations/', import.meta.url));
    old.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
      checksum TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
    for (const migration of files.filter((m) => m.version < 9)) {
      old.exec(migration.sql);
      old
        .prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, 0)')
        .run(migration.version, migration.name, migration.checksum);
    }
    old.exec(`
      INSERT INTO users (id, prompt_points, webhook_secret, created_at) VALUES ('u1', 10, 's', 0);
      INSERT INTO jobs (id, kind, user_id, status, payload, created_at, updated_at, run_at,
        timeout_seconds, max_retries, completed_at, cost_points, points_charged)
      VALUES ('j1', 'noop', 'u1', 'completed', '{}', 1, 2, 1, 60, 3, 2, 4, 4);
      INSERT INTO job_events (job_id, at, type, status, progress, attempt) VALUES
        ('j1', 1, 'created', 'pending', 0, 0), ('j1', 2, 'completed', 'completed', 100, 1);
      INSERT INTO artifacts (id, job_id, kind, content_type, chunk_size, attempt, created_at)
      VALUES ('a1', 'j1', 'video', 'video/mp4', 1024, 1, 2);
      INSERT INTO webhook_deliveries (id, webhook_job_id, job_id, attempt, url, event, duration_ms, at)
      VALUES ('d1', 'w1', 'j1', 1, 'https://example.com/', 'job.completed', 5, 3);`);
    const before = old.prepare('SELECT * FROM jobs').all();
    const eventsBefore = old.prepare('SELECT * FROM job_events ORDER BY id').all();
    old.close();

    const upgraded = await t.reopen(fresh.settings);
    try {
      const report = await upgraded.migrate();
      expect(report.applied.map((m) => m.version)).toContain(9);
      const db = new Database(file);
      try {
        // Every column kept; those added since (lost_attempts, migration 0019; the dependency
        // columns, migration 0030; the held events' ids, 0034; the attempt's deadline, 0036) at their defaults.
        expect(db.prepare('SELECT * FROM jobs').all()).toEqual(
          before.map((job) => ({
            ...(job as object),
            lost_attempts: 0,
            on_parent_failure: 'fail',
            waiting_parents: 0,
            has_children: 0,
            deadline_at: null,
            started_event_id: null,
            completed_event_id: null,
          })),
        );
        // Every event but the stored `created` ones, which migration 0015 reads from the jobs instead.
        expect(db.prepare('SELECT * FROM job_events ORDER BY id').all()).toEqual(
          eventsBefore.filter((event) => (event as { type: string }).type !== 'created'),
        );
        for (const table of ['artifacts', 'webhook_deliveries']) {
          expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 1 });
        }
        expect(db.pragma('foreign_key_check')).toEqual([]);
        expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
        expect(db.pragma('legacy_alter_table', { simple: true })).toBe(0);
        // The view and the children's foreign keys name the rebuilt table.
        expect(db.prepare('SELECT id, status FROM presentation_jobs').all()).toEqual([]);
        db.pragma('foreign_keys = ON');
        expect(() => db.prepare("UPDATE jobs SET status = 'lost' WHERE id = 'j1'").run()).toThrow(/CHECK/);
        db.prepare("DELETE FROM jobs WHERE id = 'j1'").run();
        for (const table of ['job_events', 'artifacts', 'webhook_deliveries']) {
          expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
        }
      } finally {
        db.close();
      }
    } finally {
      await upgraded.close();
      await fresh.drop();
    }
  });
});

const POSTGRES_MIGRATIONS = readMigrationFiles(new URL('../../src/db/postgres/migrations/', import.meta.url));

/** Creates `schema` as the PostgreSQL migrations before `version` left it, recorded as applied. */
async function postgresSchemaBefore(old: pg.Client, schema: string, version: number): Promise<void> {
  await old.query(`CREATE SCHEMA ${schema}`);
  await old.query(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
    checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version < version)) {
    await old.query(migration.sql);
    await old.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
      migration.version,
      migration.name,
      migration.checksum,
    ]);
  }
}

/** The versions an upgrade from just before `version` applies. */
const postgresVersionsFrom = (version: number) =>
  POSTGRES_MIGRATIONS.filter((m) => m.version >= version).map((m) => m.version);

describe.runIf(DIALECT === 'postgres')(
  'PostgreSQL upgrade through the index changes of migration 0010',
  () => {
    const ctx = useConformanceDatabase();

    it("keeps every job and event, lists and counts by status, and reads a job's events in order", async () => {
      const { t } = ctx();
      const fresh = freshDatabase(t);
      const schema = String(fresh.settings.DATABASE_SCHEMA);
      // The schema as migration 0009 left it: jobs in four statuses, events interleaved across jobs.
      await withPostgresClient(schema, async (old) => {
        await postgresSchemaBefore(old, schema, 10);
        await old.query(`
        INSERT INTO jobs (id, kind, status, created_at, run_at, completed_at, timeout_seconds, max_retries)
        VALUES ('00000000-0000-4000-8000-000000000001', 'noop', 'pending', now() - interval '4 minutes', now(), NULL, 60, 2),
               ('00000000-0000-4000-8000-000000000002', 'noop', 'failed', now() - interval '3 minutes', now(), now(), 60, 2),
               ('00000000-0000-4000-8000-000000000003', 'noop', 'completed', now() - interval '2 minutes', now(), now(), 60, 2),
               ('00000000-0000-4000-8000-000000000004', 'noop', 'timeout', now() - interval '1 minute', now(), now(), 60, 2);
        INSERT INTO job_events (job_id, type, status, progress, attempt)
        SELECT id, type, 'pending', 0, 0 FROM jobs, (VALUES ('created'), ('started'), ('completed')) AS e(type)
        ORDER BY e.type, id;`);
      });

      const upgraded = await t.reopen(fresh.settings);
      try {
        const report = await upgraded.migrate();
        expect(report.applied.map((m) => m.version)).toEqual(postgresVersionsFrom(10));
        const all = { all: true } as const;
        const listed = await upgraded.jobs.list({ limit: 10, statuses: ['failed', 'timeout'] }, all);
        expect(listed.jobs.map((job) => job.id)).toEqual([
          '00000000-0000-4000-8000-000000000004',
          '00000000-0000-4000-8000-000000000002',
        ]);
        const pending = await upgraded.jobs.list({ limit: 10, statuses: ['pending'] }, all);
        expect(pending.jobs.map((job) => job.id)).toEqual(['00000000-0000-4000-8000-000000000001']);
        const health = await upgraded.jobs.health(all);
        expect(health).toMatchObject({
          total: 4,
          pending: 1,
          running: 0,
          completed: 1,
          failed: 1,
          timeout: 1,
        });
        expect(health.oldestPendingJobAgeMinutes).toBeGreaterThanOrEqual(4);
        // Each job's events, in the order they were written, from the new key (job_id, id).
        const events = await upgraded.jobs.listEvents(
          '00000000-0000-4000-8000-000000000003',
          FROM_THE_START,
          10,
        );
        // The stored `created` event gave way to the one read from the job (migration 0015), id 0.
        expect(events.map((event) => event.type)).toEqual(['created', 'completed', 'started']);
        const later = await upgraded.jobs.listEvents(
          '00000000-0000-4000-8000-000000000003',
          events[1]!.id,
          10,
        );
        expect(later.map((event) => event.type)).toEqual(['started']);
        const [key] = await t.sql<{ definition: string }>({
          sqlite: 'SELECT 1',
          postgres: `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
                     WHERE conname = 'job_events_pkey' AND connamespace = '${schema}'::regnamespace`,
        });
        expect(key?.definition).toBe('PRIMARY KEY (job_id, id)');
        expect(await upgraded.jobs.cleanup(0, all)).toBe(3);
      } finally {
        await upgraded.close();
        await fresh.drop();
      }
    });
  },
);

describe.runIf(DIALECT === 'postgres')(
  'PostgreSQL upgrade to the started and completed events read from the job (migration 0017)',
  () => {
    const ctx = useConformanceDatabase();

    it('keeps the stored started event of a job running across it, once, beside the events read from the job', async () => {
      const { t } = ctx();
      const fresh = freshDatabase(t);
      const schema = String(fresh.settings.DATABASE_SCHEMA);
      const finishing = '00000000-0000-4000-8000-000000000021';
      const released = '00000000-0000-4000-8000-000000000022';
      // Two jobs claimed by a worker of the version before, each with its stored `started` event.
      await withPostgresClient(schema, async (old) => {
        await postgresSchemaBefore(old, schema, 17);
        await old.query(`
        INSERT INTO jobs (id, kind, status, attempt, worker_id, started_at, lease_expires_at, message,
          timeout_seconds, max_retries)
        VALUES ('${finishing}', 'noop', 'running', 1, 'old-worker', now(), now() + interval '1 minute',
                'Started', 60, 2),
               ('${released}', 'noop', 'running', 1, 'old-worker', now(), now() + interval '1 minute',
                'Started', 60, 2);
        INSERT INTO job_events (job_id, type, status, progress, message, attempt, worker_id)
        SELECT id, 'started', 'running', 0, 'Started', 1, 'old-worker' FROM jobs;`);
      });

      const upgraded = await t.reopen(fresh.settings);
      try {
        const report = await upgraded.migrate();
        expect(report.applied.map((m) => m.version)).toEqual(postgresVersionsFrom(17));
        const { jobs } = upgraded;
        await jobs.complete({ jobId: finishing, attempt: 1, workerId: 'old-worker' }, { ok: true });
        await jobs.release([{ jobId: released, attempt: 1, workerId: 'old-worker' }]);
        const [again] = await jobs.claim({
          workerId: 'new-worker',
          kinds: ['noop'],
          limit: 1,
          leaseSeconds: 30,
        });
        expect(again?.id).toBe(released);
        await jobs.complete({ jobId: released, attempt: 2, workerId: 'new-worker' }, { ok: true });

        const log = async (id: string) =>
          (await jobs.listEvents(id, FROM_THE_START, 20)).map((e) => [e.type, e.attempt, e.workerId]);
        expect(await log(finishing)).toEqual([
          ['created', 0, null],
          ['started', 1, 'old-worker'],
          ['completed', 1, 'old-worker'],
        ]);
        expect(await log(released)).toEqual([
          ['created', 0, null],
          ['started', 1, 'old-worker'],
          ['released', 1, null],
          ['started', 2, 'new-worker'],
          ['completed', 2, 'new-worker'],
        ]);
      } finally {
        await upgraded.close();
        await fresh.drop();
      }
    });
  },
);

describe.runIf(DIALECT === 'sqlite')(
  'SQLite upgrade to the started and completed events read from the job (migration 0034)',
  () => {
    const ctx = useConformanceDatabase();

    it('keeps every stored event and its id, and the stored started event of a job running across it, once', async () => {
      const { t } = ctx();
      const fresh = freshDatabase(t);
      const file = String(fresh.settings.DATABASE_URL).slice('sqlite:'.length);
      const finishing = '00000000-0000-4000-8000-000000000031';
      const released = '00000000-0000-4000-8000-000000000032';
      // Two jobs claimed by a worker of the version before, each with its stored `started` event
      // (migration 0016's trigger), and a finished job's events.
      const old = new Database(file);
      const files = readMigrationFiles(new URL('../../src/db/sqlite/migrations/', import.meta.url));
      old.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
        checksum TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
      for (const migration of files.filter((m) => m.version < 34)) {
        old.exec(migration.sql);
        old
          .prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, 0)')
          .run(migration.version, migration.name, migration.checksum);
      }
      old.exec(`
        INSERT INTO jobs (id, kind, status, created_at, updated_at, run_at, timeout_seconds, max_retries)
        VALUES ('${finishing}', 'noop', 'pending', 1, 1, 1, 60, 2), ('${released}', 'noop', 'pending', 1, 1, 1, 60, 2),
          ('00000000-0000-4000-8000-000000000033', 'noop', 'pending', 1, 1, 1, 60, 2);
        UPDATE jobs SET status = 'running', attempt = 1, worker_id = 'old-worker', started_at = 2,
          lease_expires_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) + 60000, message = 'Started';
        UPDATE jobs SET status = 'completed', completed_at = 3, progress = 100, message = 'Completed'
          WHERE id = '00000000-0000-4000-8000-000000000033';`);
      const eventsBefore = old.prepare('SELECT * FROM job_events ORDER BY id').all();
      expect(eventsBefore).toHaveLength(4);
      old.close();

      const upgraded = await t.reopen(fresh.settings);
      try {
        const report = await upgraded.migrate();
        expect(report.applied.map((m) => m.version)).toContain(34);
        const db = new Database(file, { readonly: true });
        try {
          expect(db.prepare('SELECT * FROM job_events ORDER BY id').all()).toEqual(eventsBefore);
        } finally {
          db.close();
        }
        const { jobs } = upgraded;
        await jobs.complete({ jobId: finishing, attempt: 1, workerId: 'old-worker' }, { ok: true });
        await jobs.release([{ jobId: released, attempt: 1, workerId: 'old-worker' }]);
        const [again] = await jobs.claim({
          workerId: 'new-worker',
          kinds: ['noop'],
          limit: 1,
          leaseSeconds: 30,
        });
        expect(again?.id).toBe(released);
        await jobs.complete({ jobId: released, attempt: 2, workerId: 'new-worker' }, { ok: true });

        const log = async (id: string) => {
          const events = await jobs.listEvents(id, FROM_THE_START, 20);
          const ids = events.map((e) => e.id);
          expect([...ids].sort((a, b) => a - b)).toEqual(ids);
          return events.map((e) => [e.type, e.attempt, e.workerId]);
        };
        expect(await log(finishing)).toEqual([
          ['created', 0, null],
          ['started', 1, 'old-worker'],
          ['completed', 1, 'old-worker'],
        ]);
        expect(await log(released)).toEqual([
          ['created', 0, null],
          ['started', 1, 'old-worker'],
          ['released', 1, null],
          ['started', 2, 'new-worker'],
          ['completed', 2, 'new-worker'],
        ]);
      } finally {
        await upgraded.close();
        await fresh.drop();
      }
    });
  },
);

describe.runIf(DIALECT === 'postgres')(
  'PostgreSQL upgrade to the AFTER points triggers of migration 0012',
  () => {
    const ctx = useConformanceDatabase();

    it('refunds a job charged before it, and charges a manual retry of a job refunded before it', async () => {
      const { t } = ctx();
      const fresh = freshDatabase(t);
      const schema = String(fresh.settings.DATABASE_SCHEMA);
      const running = '00000000-0000-4000-8000-000000000011';
      const failed = '00000000-0000-4000-8000-000000000012';
      await withPostgresClient(schema, async (old) => {
        await postgresSchemaBefore(old, schema, 12);
        await old.query(`INSERT INTO users (id, prompt_points, webhook_secret) VALUES ('payer', 10, 's')`);
        // Migration 0004's triggers charge both jobs (10 → 2), then refund the one that fails (→ 6).
        await old.query(`
        INSERT INTO jobs (id, kind, user_id, status, cost_points, timeout_seconds, max_retries)
        VALUES ('${running}', 'noop', 'payer', 'pending', 4, 60, 0), ('${failed}', 'noop', 'payer', 'pending', 4, 60, 0);
        UPDATE jobs SET status = 'running', attempt = 1, worker_id = 'old-worker', started_at = now(),
          lease_expires_at = now() + interval '1 minute'
        WHERE id IN ('${running}', '${failed}');
        UPDATE jobs SET status = 'failed', completed_at = now() WHERE id = '${failed}';`);
      });

      const upgraded = await t.reopen(fresh.settings);
      try {
        const report = await upgraded.migrate();
        expect(report.applied.map((m) => m.version)).toEqual(postgresVersionsFrom(12));
        const points = async () => (await upgraded.users.getUser('payer'))?.promptPoints;
        const charged = async (id: string) =>
          (
            await t.sql<{ n: number }>({
              sqlite: '',
              postgres: `SELECT points_charged AS n FROM ${schema}.jobs WHERE id = '${id}'`,
            })
          )[0]?.n;
        expect(await points()).toBe(6);

        await upgraded.jobs.markCancelled({ jobId: running, attempt: 1, workerId: 'old-worker' }, 'stopped');
        expect(await points()).toBe(10);
        expect(await charged(running)).toBe(0);

        const retried = await upgraded.jobs.retry(failed, { force: true }, ALL_JOBS);
        expect(retried.status).toBe('pending');
        expect(await points()).toBe(6);
        expect(await charged(failed)).toBe(4);
      } finally {
        await upgraded.close();
        await fresh.drop();
      }
    });
  },
);
