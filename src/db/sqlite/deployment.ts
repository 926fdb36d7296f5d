/** Reads the deployment's id (migration 0018): the same for every process on this database file. */
import type { SqliteDatabase } from './connection.js';

export function readSqliteDeploymentId(db: SqliteDatabase): string {
  const row = db.prepare('SELECT id FROM deployment WHERE singleton = 1').get() as { id: string } | undefined;
  if (!row) throw new Error('the deployment table has no row: migration 0018 has not run');
  return row.id;
}
