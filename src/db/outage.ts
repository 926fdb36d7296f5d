/**
 * What counts as a database outage, decided in this one place and only by error codes (never by
 * message text): the server cannot be reached or is restarting (PostgreSQL), or the file cannot be
 * opened, read or locked (SQLite). Callers that can wait (event streams, workers) retry these; the
 * HTTP layer answers them 503 `DATABASE_UNAVAILABLE` with `Retry-After`.
 */
import { isReelqueueError, ReelqueueError } from '../errors.js';

/** Seconds a client is told to wait before trying again (`Retry-After`). */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** Socket errors: the server is down, unreachable, or dropped the connection. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs: the server is shutting down (57P01 admin_shutdown, 57P02 crash_shutdown),
 * still starting or recovering (57P03 cannot_connect_now), or refuses another connection (53300
 * too_many_connections: `max_connections`, or a role's or database's connection limit; 53400
 * configuration_limit_exceeded); class 08 is "connection exception", which PgBouncer also sends
 * when it refuses a client (`max_client_conn`) or gives up waiting for a server connection.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
const SQLSTATE_CLASSES = ['08'];

/**
 * SQLite result codes (better-sqlite3 names extended codes too, e.g. `SQLITE_IOERR_READ`): a lock
 * held past the busy timeout, a file that cannot be opened, a disk that fails to read or write.
 */
const SQLITE_PREFIXES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR'];

/**
 * Errors a driver raised because its connection was lost. pg reports a socket that closed under a
 * query with a plain Error without a code; the PostgreSQL dialect hands each error its connections
 * emit to `markConnectionLost`, so it is known by where it came from, not by what it says.
 */
const lostConnectionErrors = new WeakSet<object>();

export function markConnectionLost(error: unknown): void {
  if (typeof error === 'object' && error !== null) lostConnectionErrors.add(error);
}

function ownCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function codeMeansOutage(code: string): boolean {
  return (
    SOCKET_CODES.has(code) ||
    SQLSTATES.has(code) ||
    (code.length === 5 && SQLSTATE_CLASSES.includes(code.slice(0, 2))) ||
    SQLITE_PREFIXES.some((prefix) => code.startsWith(prefix))
  );
}

/**
 * The code that makes `error` an outage (its own, a cause's, or one of an AggregateError's), or null
 * when it is not one. Our own `DATABASE_BUSY` and `DATABASE_UNAVAILABLE` errors are outages too.
 */
export function outageCode(error: unknown, depth = 0): string | null {
  if (typeof error !== 'object' || error === null || depth > 5) return null;
  if (isReelqueueError(error, 'DATABASE_UNAVAILABLE') || isReelqueueError(error, 'DATABASE_BUSY')) {
    const cause = outageCode((error as { cause?: unknown }).cause, depth + 1);
    return cause ?? error.code;
  }
  if (isReelqueueError(error)) return null;
  const code = ownCode(error);
  if (code !== undefined && codeMeansOutage(code)) return code;
  if (lostConnectionErrors.has(error)) return code ?? 'CONNECTION_LOST';
  const nested = [
    (error as { cause?: unknown }).cause,
    ...(error instanceof AggregateError ? (error.errors as unknown[]) : []),
  ];
  for (const inner of nested) {
    const found = outageCode(inner, depth + 1);
    if (found) return found;
  }
  return null;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  return outageCode(error) !== null;
}

/**
 * The error a user sees for an outage: stable code, a sentence on what to do, the driver's code in
 * details (never its message, which may name hosts and paths), the original error as the cause.
 */
export function databaseUnavailable(error: unknown): ReelqueueError {
  if (isReelqueueError(error, 'DATABASE_UNAVAILABLE')) return error;
  return new ReelqueueError(
    'DATABASE_UNAVAILABLE',
    'The database is not available right now; try again in a few seconds',
    { reason: outageCode(error) ?? 'UNKNOWN', retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS },
    { cause: error },
  );
}
