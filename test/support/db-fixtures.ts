/** Puts rows into states that otherwise take real time: expired leases, old heartbeats, old jobs. */
import type { TestDatabase } from './test-database.js';

export async function expireLease(t: TestDatabase, jobId: string): Promise<void> {
  await t.sql(
    {
      sqlite:
        "UPDATE jobs SET lease_expires_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) - 1000 WHERE id = ?",
      postgres: "UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = ?",
    },
    [jobId],
  );
}

export async function setLastHeartbeatMinutesAgo(
  t: TestDatabase,
  jobId: string,
  minutes: number,
): Promise<void> {
  await t.sql(
    {
      sqlite:
        "UPDATE jobs SET last_heartbeat = CAST(unixepoch('subsec') * 1000 AS INTEGER) - ? * 60000 WHERE id = ?",
      postgres: "UPDATE jobs SET last_heartbeat = now() - (? * interval '1 minute') WHERE id = ?",
    },
    [minutes, jobId],
  );
}

export async function makeRunnableNow(t: TestDatabase, jobId: string): Promise<void> {
  await t.sql(
    {
      sqlite: "UPDATE jobs SET run_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) WHERE id = ?",
      postgres: 'UPDATE jobs SET run_at = now() WHERE id = ?',
    },
    [jobId],
  );
}

export async function setFinishedHoursAgo(t: TestDatabase, jobId: string, hours: number): Promise<void> {
  await t.sql(
    {
      sqlite:
        "UPDATE jobs SET completed_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) - ? * 3600000 WHERE id = ?",
      postgres: "UPDATE jobs SET completed_at = now() - (? * interval '1 hour') WHERE id = ?",
    },
    [hours, jobId],
  );
}

export async function setCreatedHoursAgo(t: TestDatabase, jobId: string, hours: number): Promise<void> {
  await t.sql(
    {
      sqlite:
        "UPDATE jobs SET created_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) - ? * 3600000 WHERE id = ?",
      postgres: "UPDATE jobs SET created_at = now() - (? * interval '1 hour') WHERE id = ?",
    },
    [hours, jobId],
  );
}

export async function countRows(t: TestDatabase, table: 'jobs' | 'job_events'): Promise<number> {
  const rows = await t.sql<{ n: number | string }>({
    sqlite: `SELECT count(*) AS n FROM ${table}`,
    postgres: `SELECT count(*)::int AS n FROM ${table}`,
  });
  return Number(rows[0]?.n ?? 0);
}

/** Every non-empty rollup row, as comparable text. */
export async function rollupTables(t: TestDatabase): Promise<string[]> {
  const read = async (table: string, key: string, values: string) =>
    (
      await t.sql<Record<string, unknown>>({
        sqlite: `SELECT ${key}, ${values} FROM ${table} WHERE jobs <> 0 ORDER BY ${key}`,
        postgres: `SELECT ${key}, ${values} FROM ${table} WHERE jobs <> 0 ORDER BY ${key}`,
      })
    ).map((row) =>
      JSON.stringify(
        Object.entries(row).map(([name, value]) =>
          name === 'seconds'
            ? Math.round(Number(value) * 1e6) / 1e6
            : typeof value === 'boolean'
              ? Number(value)
              : value === null
                ? null
                : String(value),
        ),
      ),
    );
  return [
    ...(await read('job_count_rollups', 'span_ms, bucket_ms, kind, status, priority, retried', 'jobs')),
    ...(await read('job_error_rollups', 'span_ms, bucket_ms, error_code', 'jobs')),
    ...(await read('job_duration_rollups', 'span_ms, bucket_ms, duration_bucket', 'jobs, seconds')),
  ];
}
