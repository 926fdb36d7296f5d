/** Builds the PostgreSQL side of `openDatabase`. */
import { ChunkedArtifactStore } from '../../artifacts/chunked-artifact-store.js';
import type { DatabaseConfig, OpenDatabase } from '../open-database.js';
import { PostgresArtifactStorage } from './artifact-storage.js';
import { readPostgresDeploymentId } from './deployment.js';
import { PostgresJobStore } from './job-store.js';
import { PostgresLessonStore } from './lesson-store.js';
import { NotificationListener, notifyChannel } from './listener.js';
import { migratePostgres } from './migrate.js';
import { PreparedStatements } from './named-statements.js';
import { createPool } from './pool.js';
import { PostgresScheduleStore } from './schedule-store.js';
import { PostgresUserStore } from './user-store.js';
import { PostgresWebhookStore } from './webhook-store.js';

export function openPostgresDatabase(
  connectionString: string,
  schema: string,
  config: DatabaseConfig,
): OpenDatabase {
  const pool = createPool(connectionString, schema, config.databasePoolSize);
  const channel = notifyChannel(schema);
  // LISTEN needs a session of its own: DATABASE_LISTEN_URL may name the server behind a pooler.
  // WAKE_UPS=redis or poll: no LISTEN session at all (the wake-ups go over Redis, or polls find the jobs).
  const listener = new NotificationListener(
    config.wakeUps === 'listen' ? (config.databaseListenUrl ?? connectionString) : null,
    channel,
  );
  const statements = new PreparedStatements(config.databasePreparedStatements);
  const jobs = new PostgresJobStore(pool, listener, channel, {
    maxLostAttempts: config.maxLostAttempts,
    statements,
  });
  // Closing again (a second shutdown handler) waits for the first close instead of ending the pool twice.
  let closing: Promise<void> | undefined;
  let deploymentId: Promise<string> | undefined;
  return {
    dialect: 'postgres',
    jobs,
    users: new PostgresUserStore(pool, listener, statements),
    artifacts: new ChunkedArtifactStore(new PostgresArtifactStorage(pool)),
    lessons: new PostgresLessonStore(pool),
    webhooks: new PostgresWebhookStore(pool),
    schedules: new PostgresScheduleStore(pool, channel),
    deploymentId: () =>
      (deploymentId ??= readPostgresDeploymentId(pool).catch((error: unknown) => {
        deploymentId = undefined;
        throw error;
      })),
    migrate: (options) =>
      migratePostgres(pool, schema, {
        force: options?.force ?? false,
        probed: ({ serverPort }) => statements.probed(connectionString, serverPort),
      }),
    close: () =>
      (closing ??= (async () => {
        await jobs.wakeUpsSent();
        await listener.close();
        await pool.end();
      })()),
  };
}
