/** Builds the SQLite side of `openDatabase`. */
import { ChunkedArtifactStore } from '../../artifacts/chunked-artifact-store.js';
import type { DatabaseConfig, OpenDatabase, OpenOptions } from '../open-database.js';
import { SqliteArtifactStorage } from './artifact-storage.js';
import { Checkpointer } from './checkpointer.js';
import { readSqliteDeploymentId } from './deployment.js';
import { openSqlite } from './connection.js';
import { SqliteJobStore } from './job-store.js';
import { SqliteLessonStore } from './lesson-store.js';
import { migrateSqlite } from './migrate.js';
import { SqliteScheduleStore } from './schedule-store.js';
import { SqliteUserStore } from './user-store.js';
import { SqliteWebhookStore } from './webhook-store.js';

/** How often the checkpoint thread looks for WAL pages to copy into the database file. */
const CHECKPOINT_INTERVAL_MS = 100;

export async function openSqliteDatabase(
  filename: string,
  config: DatabaseConfig,
  options: OpenOptions,
): Promise<OpenDatabase> {
  const db = await openSqlite(filename, {
    busyTimeoutMs: config.sqliteBusyTimeoutMs,
    mustExist: options.mustExist ?? false,
  });
  const checkpointer =
    filename === ':memory:' ? null : Checkpointer.start(db, filename, CHECKPOINT_INTERVAL_MS);
  const jobs = new SqliteJobStore(db, filename, {
    busyRetryMs: config.sqliteBusyRetryMs,
    maxLostAttempts: config.maxLostAttempts,
  });
  const schedules = new SqliteScheduleStore(db, filename, { busyRetryMs: config.sqliteBusyRetryMs });
  let deploymentId: string | undefined;
  return {
    dialect: 'sqlite',
    jobs,
    users: new SqliteUserStore(db, { busyRetryMs: config.sqliteBusyRetryMs }),
    artifacts: new ChunkedArtifactStore(
      new SqliteArtifactStorage(db, { busyRetryMs: config.sqliteBusyRetryMs }),
    ),
    lessons: new SqliteLessonStore(db, { busyRetryMs: config.sqliteBusyRetryMs }),
    webhooks: new SqliteWebhookStore(db, { busyRetryMs: config.sqliteBusyRetryMs }),
    schedules,
    deploymentId: async () => (deploymentId ??= readSqliteDeploymentId(db)),
    migrate: (options) => migrateSqlite(db, { force: options?.force ?? false }),
    close: async () => {
      schedules.close();
      await jobs.close();
      await checkpointer?.stop();
    },
  };
}
