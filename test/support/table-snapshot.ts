/**
 * The whole contents of a test database, as comparable text: every table's rows, sorted. A refused
 * request must leave it unchanged. Columns that a read may legitimately write (a key's
 * `last_used_at`, touched when it authenticates) are left out.
 */
import type { TestDatabase } from './test-database.js';

/** Written by reads, not by the requests under test. */
const VOLATILE_COLUMNS: Record<string, readonly string[]> = { api_keys: ['last_used_at'] };

/**
 * Derived from `jobs` (triggers append deltas, a background fold moves them into the rollups every
 * couple of seconds, whatever the requests): a request that changed them changed `jobs`, which the
 * snapshot holds.
 */
const DERIVED_TABLES = new Set([
  'job_rollup_deltas',
  'job_count_rollups',
  'job_error_rollups',
  'job_duration_rollups',
]);

const TABLE_NAME = /^[a-z_][a-z0-9_]*$/;

async function tableNames(t: TestDatabase): Promise<string[]> {
  const rows = await t.sql<{ name: string }>({
    sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    postgres: 'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()',
  });
  return rows.map((row) => row.name).filter((name) => TABLE_NAME.test(name) && !DERIVED_TABLES.has(name));
}

function shown(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array)
    return `bytes:${Buffer.from(value).toString('base64')}`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export type TableSnapshot = Record<string, string[]>;

export async function snapshotTables(t: TestDatabase): Promise<TableSnapshot> {
  const snapshot: TableSnapshot = {};
  for (const table of (await tableNames(t)).sort()) {
    // The names come from the database's own catalogue and match TABLE_NAME above.
    const rows = await t.sql<Record<string, unknown>>({
      sqlite: `SELECT * FROM "${table}"`,
      postgres: `SELECT * FROM "${table}"`,
    });
    const skip = VOLATILE_COLUMNS[table] ?? [];
    snapshot[table] = rows
      .map((row) =>
        JSON.stringify(
          Object.keys(row)
            .filter((column) => !skip.includes(column))
            .sort()
            .map((column) => [column, shown(row[column])]),
        ),
      )
      .sort();
  }
  return snapshot;
}
