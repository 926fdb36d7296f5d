/**
 * Opens a SQLite database the way the queue needs it: WAL (readers never wait for the writer), a
 * short busy timeout so the event loop is never blocked for long, and foreign keys on.
 *
 * The file holds API key hashes and webhook secrets: a database reelqueue creates is readable by its
 * owner only (0600, and SQLite gives its -wal and -shm files the same mode), in folders it creates
 * 0700. Existing files and folders keep the modes their owner gave them.
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { ReelqueueError } from '../../errors.js';
import { withBusyRetry } from './busy-retry.js';

export type SqliteDatabase = Database.Database;

/**
 * The size a WAL file is cut back to when a write starts it over after a checkpoint. SQLite reuses
 * the file rather than shrink it, so without a limit one large batch (a bulk enqueue, a video)
 * would leave a WAL of its size on disk for as long as the database stays open.
 */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface SqliteOptions {
  busyTimeoutMs: number;
  readonly?: boolean;
  /** Refuse (DATABASE_NOT_FOUND) rather than create a database that is not there. */
  mustExist?: boolean;
}

export async function openSqlite(filename: string, options: SqliteOptions): Promise<SqliteDatabase> {
  if (filename !== ':memory:') {
    if (options.mustExist && !existsSync(filename)) throw databaseNotFound(filename);
    if (!options.readonly) createPrivately(filename);
  }
  let db: SqliteDatabase;
  try {
    db = new Database(filename, {
      readonly: options.readonly ?? false,
      fileMustExist: options.mustExist ?? false,
    });
  } catch (error) {
    throw cannotOpen(filename, error);
  }
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
  if (!options.readonly) {
    // A new, empty database frees pages back to the file system when asked (a cleanup does, after
    // deleting: `PRAGMA incremental_vacuum`). SQLite takes this only before the file's first page is
    // written, which the switch to WAL below does; an existing database keeps its mode (a one-time
    // VACUUM changes it: docs/operations.md).
    // Reading the page count needs a shared lock, which another process creating the file may hold.
    await withBusyRetry(() => {
      if (db.pragma('page_count', { simple: true }) === 0) db.pragma('auto_vacuum = INCREMENTAL');
    }, 60_000);
    // Switching a new file to WAL needs the write lock, which another starting process may hold.
    await withBusyRetry(() => db.pragma('journal_mode = WAL'), 60_000);
    // NORMAL in WAL mode: a commit survives any process crash (kill -9); only an OS crash or power
    // loss can take back the last commits, and never corrupts the file.
    db.pragma('synchronous = NORMAL');
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  }
  db.pragma('foreign_keys = ON');
  // Temporary b-trees (RETURNING rows, IN (subquery) lists, sorts) in memory, never in temporary
  // files: an `UPDATE … FROM json_each(…) RETURNING` alone took 180 µs with files, 27 µs without.
  db.pragma('temp_store = MEMORY');
  return db;
}

/** Creates the database's folders (0700) and an empty file (0600) when they are not there yet. */
function createPrivately(filename: string): void {
  try {
    mkdirSync(path.dirname(filename), { recursive: true, mode: 0o700 });
    closeSync(openSync(filename, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotOpen(filename, error);
  }
}

function databaseNotFound(filename: string): ReelqueueError {
  return new ReelqueueError(
    'DATABASE_NOT_FOUND',
    `There is no database at ${filename}: check DATABASE_URL (or --database-url); ` +
      '`reelqueue migrate` creates a new one',
    { filename },
  );
}

function cannotOpen(filename: string, error: unknown): ReelqueueError {
  const reason = (error as { code?: unknown }).code;
  return new ReelqueueError(
    'DATABASE_UNAVAILABLE',
    `Cannot open the SQLite database ${filename}${typeof reason === 'string' ? ` (${reason})` : ''}: ` +
      'check the path in DATABASE_URL and that its folder exists and is writable',
    { filename, reason: typeof reason === 'string' ? reason : 'UNKNOWN' },
    { cause: error },
  );
}
