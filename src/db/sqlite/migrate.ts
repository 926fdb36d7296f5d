/**
 * Applies the SQLite migrations. `BEGIN IMMEDIATE` takes the write lock before reading what is
 * applied, so two processes starting together apply each migration once.
 *
 * Foreign keys are off while migrations run, as SQLite's procedure for rebuilding a table asks
 * (dropping a parent table would otherwise delete its children's rows); when a migration was applied,
 * every key is checked before the commit, and one that points nowhere rolls the whole run back.
 */
import { ReelqueueError } from '../../errors.js';
import { readMigrationFiles, type AppliedMigration, type MigrationReport } from '../migration-files.js';
import { planMigrations } from '../migration-plan.js';
import { withBusyRetry } from './busy-retry.js';
import type { SqliteDatabase } from './connection.js';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

export async function migrateSqlite(
  db: SqliteDatabase,
  options: { force: boolean },
): Promise<MigrationReport> {
  const files = readMigrationFiles(MIGRATIONS);
  const run = db.transaction((): MigrationReport => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      checksum TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    ) STRICT`);
    const applied = db
      .prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version')
      .all() as AppliedMigration[];
    const plan = planMigrations(files, applied, options.force);
    const record = db.prepare(
      "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, CAST(unixepoch('subsec') * 1000 AS INTEGER))",
    );
    for (const file of plan.toApply) {
      db.exec(file.sql);
      record.run(file.version, file.name, file.checksum);
    }
    const update = db.prepare('UPDATE schema_migrations SET checksum = ? WHERE version = ?');
    for (const file of plan.checksumsToUpdate) update.run(file.checksum, file.version);
    // Only a run that applied something can have broken a key; a start-up with nothing to apply
    // must not scan every table.
    const dangling =
      plan.toApply.length === 0
        ? []
        : (db.pragma('foreign_key_check') as { table: string; parent: string }[]);
    if (dangling.length > 0) {
      throw new ReelqueueError(
        'MIGRATION_FAILED',
        `Migration left ${dangling.length} rows whose foreign key points nowhere (first: ${dangling[0]?.table} -> ${dangling[0]?.parent}); nothing was applied`,
        { rows: dangling.length },
      );
    }
    return {
      applied: plan.toApply.map((file) => ({ version: file.version, name: file.name })),
      alreadyApplied: plan.alreadyApplied,
      checksumsUpdated: plan.checksumsToUpdate.map((file) => file.version),
    };
  });
  // One synchronous call: nothing else on this connection runs while its foreign keys are off.
  return withBusyRetry(() => {
    db.pragma('foreign_keys = OFF');
    try {
      return run.immediate();
    } finally {
      db.pragma('legacy_alter_table = OFF');
      db.pragma('foreign_keys = ON');
    }
  }, 60_000);
}
