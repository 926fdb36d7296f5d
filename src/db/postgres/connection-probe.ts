/**
 * What one pooled connection says about where it landed: the schema its search_path resolves to
 * and the port the server listens on. Run under the migration lock, before any migration, so that a
 * connection whose search_path a pooler dropped never creates reelqueue's tables in another schema.
 */
import { ReelqueueError } from '../../errors.js';
import type { PgClient } from './pool.js';
import { connectionSql } from './sql/connection-sql.js';

export interface ConnectionProbe {
  /** The port the server itself listens on (a pooler in between listens on another one). */
  serverPort: number;
}

/** Checks that `client` works in `schema` (which must exist by now); CONFIG_INVALID when not. */
export async function probeConnection(client: PgClient, schema: string): Promise<ConnectionProbe> {
  const { rows } = await client.query<{ schema: string | null; port: number }>(connectionSql.probe);
  const row = rows[0];
  if (!row || row.schema !== schema) {
    throw new ReelqueueError(
      'CONFIG_INVALID',
      `PostgreSQL connections work in schema ${JSON.stringify(row?.schema ?? null)}, not DATABASE_SCHEMA=${schema}: ` +
        `something between reelqueue and the server dropped the connection's search_path option. ` +
        `Behind PgBouncer, give the database entry connect_query='SET search_path TO ${schema}' ` +
        `(or ALTER ROLE … SET search_path TO ${schema}); see docs/operations.md`,
      { setting: 'DATABASE_SCHEMA', schema, connectionSchema: row?.schema ?? null },
    );
  }
  return { serverPort: row.port };
}
