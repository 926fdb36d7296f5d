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

/**
 * Gives a seeded table the shape the listings meet in service (`seedSqlite`/`seedPostgres` first):
 * its pending jobs one enqueue of many (one created_at), 1 % of the rest failed, 50 old ones running,
 * 0.1 % of another kind (`webhook`), 1 % owned by ten users (`user-0` … `user-9`).
 */
const MIX = {
  pending: `UPDATE jobs SET created_at = (SELECT max(created_at) FROM jobs) WHERE status = 'pending'`,
  failed: (n: string) =>
    `UPDATE jobs SET status = 'failed', error_code = 'SEEDED' WHERE status = 'completed' AND ${n} % 100 = 1`,
  kind: (n: string) => `UPDATE jobs SET kind = 'webhook' WHERE ${n} % 1000 = 2`,
  owners: (n: string) => `UPDATE jobs SET user_id = 'user-' || ((${n} / 100) % 10) WHERE ${n} % 100 = 3`,
};

export function mixSqlite(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.transaction(() => {
      db.exec(MIX.pending);
      db.exec(MIX.failed('rowid'));
      db.exec(MIX.kind('rowid'));
      db.exec(MIX.owners('rowid'));
      db.prepare(
        `UPDATE jobs SET status = 'running', worker_id = 'seed', completed_at = NULL,
           lease_expires_at = unixepoch() * 1000 + 3600000
         WHERE rowid IN (SELECT rowid FROM jobs WHERE status = 'completed' AND rowid % 997 = 5 LIMIT 50)`,
      ).run();
    })();
  } finally {
    db.close();
  }
}

export async function mixPostgres(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const n = `('x' || substr(id::text, 1, 8))::bit(32)::int`;
    await client.query(MIX.pending);
    await client.query(MIX.failed(n));
    await client.query(MIX.kind(n));
    await client.query(MIX.owners(n));
    await client.query(
      `UPDATE jobs SET status = 'running', worker_id = 'seed', completed_at = NULL,
         lease_expires_at = now() + interval '1 hour'
       WHERE id IN (SELECT id FROM jobs WHERE status = 'completed' AND ${n} % 997 = 5 LIMIT 50)`,
    );
    await client.query('VACUUM ANALYZE jobs');
  } finally {
    await client.end();
  }
}
