/**
 * The seeds' own SQL reads of `presentation_jobs`, run as the seeds wrote them (docs/sql-view.md):
 * seed 000 reads one job by `job_id` and maps every column of its table; seed 003 reads its table's
 * columns by `id`.
 */
import { describe, expect, it } from 'vitest';
import type { Lease } from '../../src/jobs/model.js';
import { useConformanceDatabase, type Conformance } from '../support/conformance.js';
import { SEED_000_COLUMNS } from '../support/seed-columns.js';

/** Seed 003's table (SQLite, migrate_presentation_jobs.py). */
const SEED_003_COLUMNS = [
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
];

/** Seed 000's read, as written: asyncpg's `$1` on PostgreSQL, SQLite's `?` on SQLite. */
const SEED_000_READ = {
  postgres: 'SELECT * FROM presentation_jobs WHERE job_id = $1',
  sqlite: 'SELECT * FROM presentation_jobs WHERE job_id = ?',
};

async function seed000Read(ctx: Conformance, jobId: string): Promise<Record<string, unknown>> {
  const rows = await ctx.t.sql<Record<string, unknown>>(SEED_000_READ, [jobId]);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** Seed 000 reads `created_files` with `json.loads` (asyncpg gives jsonb as text); pg parses it. */
function createdFiles(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

async function* bytes(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text);
}

async function storeFile(ctx: Conformance, lease: Lease, kind: string, contentType: string): Promise<void> {
  await ctx.t.db.artifacts.write({ lease, jobId: lease.jobId, kind, contentType, source: bytes(kind) });
}

describe('the seeds’ SQL reads of presentation_jobs', () => {
  const ctx = useConformanceDatabase();

  it('has every column of seed 000 and of seed 003', async () => {
    const job = await ctx().jobs.pending({ kind: 'presentation' });
    const row = await seed000Read(ctx(), job.id);
    for (const column of [...SEED_000_COLUMNS, ...SEED_003_COLUMNS, 'progress_fraction']) {
      expect(Object.keys(row), column).toContain(column);
    }
  });

  it('seed 000: a rendered job reads by job_id with its video, slide image and created files', async () => {
    const c = ctx();
    const { job, lease } = await c.jobs.running({ kind: 'presentation' });
    await c.store.reportProgress(lease, { progress: 45, stage: 'render', message: 'Rendering' });
    const running = await seed000Read(c, job.id);
    expect(running).toMatchObject({ job_id: job.id, status: 'running', progress: 45, error: null });
    expect(Number(running.progress_fraction)).toBeCloseTo(0.45, 10);
    expect(running.slide_image_path).toBeNull();
    expect(createdFiles(running.created_files)).toEqual([]);

    await storeFile(c, lease, 'video', 'video/mp4');
    await storeFile(c, lease, 'thumbnail', 'image/png');
    // The presentation kind's result: it names no slide image and lists no files itself.
    await c.store.complete(lease, { presentation_id: job.id, slide_count: 3 });
    const done = await seed000Read(c, job.id);
    expect(done).toMatchObject({
      job_id: job.id,
      status: 'completed',
      error: null,
      video_url: `/api/videos/${job.id}`,
      thumbnail_url: `/api/videos/${job.id}/thumbnail`,
      slide_image_path: `/api/videos/${job.id}/thumbnail`,
    });
    expect(Number(done.progress_fraction)).toBe(1);
    expect(createdFiles(done.created_files)).toEqual([
      `/api/videos/${job.id}`,
      `/api/videos/${job.id}/thumbnail`,
    ]);
    expect(done.completed_at).not.toBeNull();
    expect(done.last_heartbeat).not.toBeNull();
  });

  it('seed 000: a failed job reads by job_id with its error text', async () => {
    const c = ctx();
    const failed = await c.jobs.failed({ kind: 'presentation', maxRetries: 0 });
    const row = await seed000Read(c, failed.id);
    expect(row).toMatchObject({ job_id: failed.id, status: 'failed', error: 'the handler threw' });
    expect(row.video_url).toBeNull();
    expect(createdFiles(row.created_files)).toEqual([]);
  });

  it('seed 003: a pending job reads by id with its queue position and 0-100 progress', async () => {
    const c = ctx();
    const job = await c.jobs.pending({ kind: 'presentation', payload: { style: 'modern' } });
    const rows = await c.t.sql<Record<string, unknown>>(
      {
        sqlite: 'SELECT * FROM presentation_jobs WHERE id = ?',
        postgres: 'SELECT * FROM presentation_jobs WHERE id = ?',
      },
      [job.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: job.id, status: 'pending', progress: 0, style: 'modern' });
    expect(Number(rows[0]!.queue_position)).toBe(0);
    expect(Number(rows[0]!.progress_fraction)).toBe(0);
  });
});
