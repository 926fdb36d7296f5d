import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SettingsInput } from '../../src/config.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { countRows } from '../support/db-fixtures.js';
import { DIALECT, type TestDatabase } from '../support/test-database.js';
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
