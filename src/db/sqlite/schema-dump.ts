/** A stable text dump of the SQLite schema, compared in CI with the committed snapshot. */
import type { SqliteDatabase } from './connection.js';

export function dumpSqliteSchema(db: SqliteDatabase): string {
  const rows = db
    .prepare(
      "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )
    .all() as { type: string; name: string; sql: string }[];
  return `${rows.map((row) => `-- ${row.type} ${row.name}\n${row.sql.trim()};\n`).join('\n')}`;
}
