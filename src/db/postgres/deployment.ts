/** Reads the deployment's id (migration 0018): the same for every process on this schema. */
import type { PgPool } from './pool.js';

export async function readPostgresDeploymentId(pool: PgPool): Promise<string> {
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM deployment WHERE singleton');
  const row = rows[0];
  if (!row) throw new Error('the deployment table has no row: migration 0018 has not run');
  return row.id;
}
