/**
 * Opens the database a `DATABASE_URL` names, applies pending migrations, and returns its job, user
 * and artifact stores. The one place that picks a dialect.
 */
import type { ArtifactStore } from '../artifacts/store.js';
import type { Config } from '../config.js';
import type { JobStore } from '../jobs/store.js';
import type { LessonStore } from '../lessons/store.js';
import type { ScheduleStore } from '../schedules/store.js';
import type { UserStore } from '../users/store.js';
import type { WebhookStore } from '../webhooks/store.js';
import { parseDatabaseUrl } from './database-url.js';
import type { MigrationReport } from './migration-files.js';

export interface OpenDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  readonly jobs: JobStore;
  /** Users, API keys and points. */
  readonly users: UserStore;
  /** Rendered videos and thumbnails, stored as chunks in the same database. */
  readonly artifacts: ArtifactStore;
  /** Lessons users store to render later. */
  readonly lessons: LessonStore;
  /** The record of webhook deliveries. */
  readonly webhooks: WebhookStore;
  /** Recurring jobs' schedules. */
  readonly schedules: ScheduleStore;
  /**
   * The id of this deployment: made once by migration 0018 and the same for every process on this
   * database, different for another database. Read once (after migrating), then remembered.
   */
  deploymentId(): Promise<string>;
  /** Applies pending migrations (with a lock, so concurrent starts are safe). */
  migrate(options?: { force?: boolean }): Promise<MigrationReport>;
  close(): Promise<void>;
}

export type DatabaseConfig = Pick<
  Config,
  | 'databaseUrl'
  | 'databaseSchema'
  | 'databasePoolSize'
  | 'databaseListenUrl'
  | 'wakeUps'
  | 'databasePreparedStatements'
  | 'sqliteBusyTimeoutMs'
  | 'sqliteBusyRetryMs'
  | 'maxLostAttempts'
>;

export interface OpenOptions {
  /**
   * Refuse with DATABASE_NOT_FOUND rather than create a SQLite database that is not there (for
   * commands that only read). A PostgreSQL database is never created.
   */
  mustExist?: boolean;
}

export async function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Promise<OpenDatabase> {
  const target = parseDatabaseUrl(config.databaseUrl, config.databaseSchema);
  if (target.dialect === 'sqlite') {
    const { openSqliteDatabase } = await import('./sqlite/open.js');
    return openSqliteDatabase(target.filename, config, options);
  }
  const { openPostgresDatabase } = await import('./postgres/open.js');
  return openPostgresDatabase(target.connectionString, target.schema, config);
}
