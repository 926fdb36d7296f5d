/**
 * Fills a freshly migrated reelqueue jobs table fast, in SQL: `total` rows, the last `pending` of them
 * pending and runnable, the rest completed. Row i has a predictable id, so reads can pick random rows.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_URL } from '../lib/services.js';

/** The id of seeded row `i` (1-based): a valid UUID that sorts like a time-ordered one. */
export function seededId(i: number): string {
  return `${i.toString(16).padStart(8, '0')}-0000-7000-8000-000000000000`;
}

export async function seedPostgres(schema: string, total: number, pending: number): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO jobs (id, kind, status, priority, payload, progress, message, created_at, updated_at, run_at,
         started_at, completed_at, timeout_seconds, attempt, max_retries, worker_id, result, processing_time_seconds)
       SELECT (lpad(to_hex(i), 8, '0') || '-0000-7000-8000-000000000000')::uuid, 'noop',
         CASE WHEN s.pending THEN 'pending' ELSE 'completed' END, 1, '{}',
         CASE WHEN s.pending THEN 0 ELSE 100 END, CASE WHEN s.pending THEN 'Queued' ELSE 'Completed' END,
         s.at, s.at, s.at,
         CASE WHEN s.pending THEN NULL ELSE s.at + interval '10 ms' END,
         CASE WHEN s.pending THEN NULL ELSE s.at + interval '20 ms' END,
         600, CASE WHEN s.pending THEN 0 ELSE 1 END, 2,
         CASE WHEN s.pending THEN NULL ELSE 'seed' END,
         CASE WHEN s.pending THEN NULL ELSE '{}'::jsonb END,
         CASE WHEN s.pending THEN NULL ELSE 0.01 END
       FROM (SELECT i, i > $1::int - $2::int AS pending,
               now() - ($1::int - i) * interval '100 ms' - interval '1 s' AS at
             FROM generate_series(1, $1::int) AS i) AS s`,
      [total, pending],
    );
    await client.query('VACUUM ANALYZE jobs');
  } finally {
    await client.end();
  }
}

export function seedSqlite(file: string, total: number, pending: number): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = WAL');
    db.prepare(
      `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < @total)
       INSERT INTO jobs (id, kind, status, priority, payload, progress, message, created_at, updated_at, run_at,
         started_at, completed_at, timeout_seconds, attempt, max_retries, worker_id, result, processing_time_seconds)
       SELECT printf('%08x-0000-7000-8000-000000000000', i), 'noop',
         CASE WHEN p THEN 'pending' ELSE 'completed' END, 1, '{}',
         CASE WHEN p THEN 0 ELSE 100 END, CASE WHEN p THEN 'Queued' ELSE 'Completed' END,
         at, at, at,
         CASE WHEN p THEN NULL ELSE at + 10 END, CASE WHEN p THEN NULL ELSE at + 20 END,
         600, CASE WHEN p THEN 0 ELSE 1 END, 2,
         CASE WHEN p THEN NULL ELSE 'seed' END, CASE WHEN p THEN NULL ELSE '{}' END,
         CASE WHEN p THEN NULL ELSE 0.01 END
       FROM (SELECT i, i > @total - @pending AS p, @now - (@total - i) * 100 - 1000 AS at FROM s)`,
    ).run({ total, pending, now: Date.now() });
  } finally {
    db.close();
  }
}
