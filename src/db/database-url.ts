/**
 * Which database a `DATABASE_URL` names.
 *
 * SQLite URLs, read in this order (the SQLAlchemy forms come first, as SQLAlchemy reads them):
 * - `sqlite:////abs/file.db` (four slashes): the absolute path `/abs/file.db` (SQLAlchemy);
 * - `sqlite:///rel/file.db` (three slashes): `rel/file.db` relative to the working directory
 *   (SQLAlchemy; `sqlite:///./presentation_jobs.db` is `./presentation_jobs.db`). This form used
 *   to mean an absolute path; write `sqlite:////abs` or `sqlite:/abs` for that;
 * - `sqlite:PATH`, `sqlite:/abs/PATH` and `sqlite://PATH` (PATH not starting with `/`): PATH, as before.
 * A driver suffix (`sqlite+pysqlite:`, `sqlite+aiosqlite:`) is accepted with the same forms. A
 * query string (`?mode=ro`) is refused rather than taken as part of the file name.
 */
import path from 'node:path';
import { ReelqueueError } from '../errors.js';

export type DatabaseTarget =
  { dialect: 'sqlite'; filename: string } | { dialect: 'postgres'; connectionString: string; schema: string };

const SQLITE_PREFIX = /^sqlite(\+[a-z0-9_]+)?:/i;

/** Whether the URL names SQLite (`sqlite:` or SQLAlchemy's `sqlite+driver:`). */
export function isSqliteUrl(url: string): boolean {
  return SQLITE_PREFIX.test(url);
}

/** The file a SQLite URL names, as written (relative paths not yet resolved), or null when none. */
export function sqlitePathOf(url: string): string | null {
  const rest = url.replace(SQLITE_PREFIX, '');
  if (rest.startsWith('////')) return rest.length > 4 ? rest.slice(3) : null; // SQLAlchemy: absolute
  if (rest.startsWith('///')) return rest.slice(3) || null; // SQLAlchemy: relative to the cwd
  if (rest.startsWith('//')) return rest.slice(2) || null;
  return rest || null;
}

export function parseDatabaseUrl(url: string, schema = 'public'): DatabaseTarget {
  if (isSqliteUrl(url)) {
    const file = sqlitePathOf(url);
    if (file === null) {
      throw new ReelqueueError(
        'CONFIG_INVALID',
        'DATABASE_URL sqlite: needs a file path, like sqlite:./data/reelqueue.db or sqlite:///./data/reelqueue.db',
      );
    }
    if (file.includes('?')) {
      throw new ReelqueueError(
        'CONFIG_INVALID',
        `DATABASE_URL ${url}: query options (?…) are not supported for SQLite; give the file path alone`,
      );
    }
    return { dialect: 'sqlite', filename: file === ':memory:' ? file : path.resolve(file) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', connectionString: url, schema };
  }
  throw new ReelqueueError(
    'CONFIG_INVALID',
    `DATABASE_URL must start with sqlite: or postgres://, got ${url}`,
  );
}

/**
 * The URL in one spelling: a SQLite URL becomes `sqlite:<absolute path>` (relative paths resolved
 * against the working directory now); any other URL, or one that does not parse, is returned as is.
 */
export function normalDatabaseUrl(url: string): string {
  if (!isSqliteUrl(url)) return url;
  try {
    const target = parseDatabaseUrl(url);
    return target.dialect === 'sqlite' ? `sqlite:${target.filename}` : url;
  } catch {
    return url; // refused with its message where the URL is validated
  }
}
