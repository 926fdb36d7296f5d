/** Decides what a migration run does, the same way for both dialects. */
import { ReelqueueError } from '../errors.js';
import type { AppliedMigration, MigrationFile } from './migration-files.js';

export interface MigrationPlan {
  toApply: MigrationFile[];
  checksumsToUpdate: MigrationFile[];
  alreadyApplied: number;
}

export function planMigrations(
  files: readonly MigrationFile[],
  applied: readonly AppliedMigration[],
  force: boolean,
): MigrationPlan {
  const known = new Map(files.map((file) => [file.version, file]));
  const unknown = applied.filter((row) => !known.has(row.version));
  if (unknown.length > 0 && !force) {
    throw new ReelqueueError(
      'SCHEMA_TOO_NEW',
      `The database has migrations this version of reelqueue does not know (${unknown
        .map((row) => row.name)
        .join(', ')}); upgrade reelqueue, or pass --force to ignore them`,
      { unknown: unknown.map((row) => row.name) },
    );
  }
  const appliedByVersion = new Map(applied.map((row) => [row.version, row]));
  const changed = files.filter((file) => {
    const row = appliedByVersion.get(file.version);
    return row !== undefined && row.checksum !== file.checksum;
  });
  if (changed.length > 0 && !force) {
    throw new ReelqueueError(
      'MIGRATION_FAILED',
      `Applied migrations were edited after they ran (${changed
        .map((file) => file.name)
        .join(', ')}); migrations are append-only: add a new one, or pass --force to accept the edit`,
      { changed: changed.map((file) => file.name) },
    );
  }
  return {
    toApply: files.filter((file) => !appliedByVersion.has(file.version)),
    checksumsToUpdate: changed,
    alreadyApplied: files.length - files.filter((file) => !appliedByVersion.has(file.version)).length,
  };
}
