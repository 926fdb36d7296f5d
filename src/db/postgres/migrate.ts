/**
 * Applies the PostgreSQL migrations inside one transaction holding an advisory lock, so two
 * processes starting together apply each migration once (the second waits, then finds none left).
 */
import { readMigrationFiles, type AppliedMigration, type MigrationReport } from '../migration-files.js';
import { planMigrations } from '../migration-plan.js';
import { probeConnection, type ConnectionProbe } from './connection-probe.js';
import { inTransaction, type PgPool } from './pool.js';

const MIGRATIONS = new URL('./migrations/', import.meta.url);
/** Arbitrary constant naming reelqueue's migration lock (combined with the schema name). */
const LOCK_CLASS = 0x7265656c;

export async function migratePostgres(
  pool: PgPool,
  schema: string,
  options: { force: boolean; probed?: (probe: ConnectionProbe) => void },
): Promise<MigrationReport> {
  const files = readMigrationFiles(MIGRATIONS);
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
    options.probed?.(await probeConnection(client, schema));
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = (
      await client.query<AppliedMigration>(
        'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
      )
    ).rows;
    const plan = planMigrations(files, applied, options.force);
    for (const file of plan.toApply) {
      await client.query(file.sql);
      await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        file.version,
        file.name,
        file.checksum,
      ]);
    }
    for (const file of plan.checksumsToUpdate) {
      await client.query('UPDATE schema_migrations SET checksum = $1 WHERE version = $2', [
        file.checksum,
        file.version,
      ]);
    }
    return {
      applied: plan.toApply.map((file) => ({ version: file.version, name: file.name })),
      alreadyApplied: plan.alreadyApplied,
      checksumsUpdated: plan.checksumsToUpdate.map((file) => file.version),
    };
  });
}
