/**
 * Named (server-side) prepared statements, and when to use them. A named statement is parsed and
 * planned once per connection instead of on every call (≈ 0.4 ms of a short statement on this
 * server), but it lives in one server session: a transaction-mode pooler (PgBouncer before 1.21)
 * hands the next transaction another session, where the name is unknown (SQLSTATE 26000) or already
 * taken by another client (42P05).
 *
 * `DATABASE_PREPARED_STATEMENTS`: `on` names them always; `off` never; `auto` (the default) names
 * them only once `probed` found the server itself behind the URL (it reports the port the URL
 * names), and until then sends unnamed ones, which every pooler mode carries. Whatever the setting,
 * a named statement refused as unknown or duplicate proves a pooler in between: naming stops for
 * this process (the refused statement's error still goes to its caller, whose retry then works).
 */
import type { PgClient, PgPool } from './pool.js';
import { pgCode } from './pool.js';

export type PreparedStatementsSetting = 'auto' | 'on' | 'off';

type Queryable = Pick<PgPool, 'query'> | PgClient;

/** SQLSTATEs of a named statement that this session does not have, or has from another client. */
const REFUSED_NAMED_STATEMENT = new Set(['26000', '42P05']);

/** Names for a store's fixed statements: SQL text → `reelqueue_<prefix>_<key>`. */
export function statementNames(prefix: string, statements: object): Map<string, string> {
  return new Map(
    Object.entries(statements)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([key, sql]) => [sql, `reelqueue_${prefix}_${key}`]),
  );
}

/** The port a PostgreSQL URL names (5432 when it names none), or null when it cannot be read. */
export function urlPort(connectionString: string): number | null {
  try {
    const url = new URL(connectionString);
    if (url.hostname === '' || url.searchParams.has('host') || url.searchParams.has('port')) return null;
    return url.port === '' ? 5432 : Number(url.port);
  } catch {
    return null;
  }
}

export class PreparedStatements {
  readonly setting: PreparedStatementsSetting;
  #named: boolean;
  /** Why naming stopped (a refused statement), for the log; null while it has not. */
  #turnedOffBecause: string | null = null;

  constructor(setting: PreparedStatementsSetting) {
    this.setting = setting;
    this.#named = setting === 'on';
  }

  /** Whether statements are named now. */
  get named(): boolean {
    return this.#named;
  }

  get turnedOffBecause(): string | null {
    return this.#turnedOffBecause;
  }

  /**
   * What a probe of one pooled connection found: `serverPort` is the port the server says it
   * listens on. `auto` names statements when that is the URL's port (no pooler in between).
   */
  probed(connectionString: string, serverPort: number): void {
    if (this.setting !== 'auto' || this.#turnedOffBecause !== null) return;
    this.#named = urlPort(connectionString) === serverPort;
  }

  /** Runs `sql` (named when it is one of `names` and naming is on) and returns its rows. */
  async rows<T>(db: Queryable, names: Map<string, string>, sql: string, params: unknown[]): Promise<T[]> {
    const name = this.#named ? names.get(sql) : undefined;
    if (name === undefined) return (await db.query({ text: sql, values: params })).rows as T[];
    try {
      return (await db.query({ text: sql, values: params, name })).rows as T[];
    } catch (error) {
      const code = pgCode(error);
      if (code !== undefined && REFUSED_NAMED_STATEMENT.has(code)) {
        this.#named = false;
        this.#turnedOffBecause = code;
      }
      throw error;
    }
  }
}
