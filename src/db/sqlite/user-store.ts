/**
 * The user store on SQLite. Writes run in `BEGIN IMMEDIATE` (retried asynchronously while another
 * process holds the lock); points are charged and refunded by the triggers of migration 0004.
 */
import { countsByStatus } from '../../jobs/statistics.js';
import {
  KEY_ATTEMPTS,
  generateApiKey,
  keyMatches,
  lookupPrefix,
  materialFor,
  type KeyMaterial,
} from '../../users/api-key.js';
import {
  balanceTooLarge,
  keyNotFound,
  malformedKey,
  pointsShort,
  userNotFound,
  walletTaken,
} from '../../users/errors.js';
import type {
  ApiKey,
  Authenticated,
  CreatedKey,
  NewUser,
  OwnedApiKey,
  User,
  UserRole,
  UserUsage,
} from '../../users/model.js';
import {
  MAX_POINTS,
  checkPointsDelta,
  newId,
  newWebhookSecret,
  resolveNewUser,
  type ResolvedNewUser,
} from '../../users/new-user.js';
import type { UserStore } from '../../users/store.js';
import { rotationInProgress } from '../../webhooks/secret-rotation.js';
import { withBusyRetry } from './busy-retry.js';
import type { SqliteDatabase } from './connection.js';
import { usersSql } from './sql/users-sql.js';
import { keyFromSqlite, userFromSqlite, type SqliteKeyRow, type SqliteUserRow } from './user-row.js';

type Statement = ReturnType<SqliteDatabase['prepare']>;

export class SqliteUserStore implements UserStore {
  readonly #db: SqliteDatabase;
  readonly #busyRetryMs: number;
  readonly #statements = new Map<string, Statement>();
  /** The key revision read in this turn of the event loop; null once the turn is over. */
  #turnRevision: number | null = null;

  constructor(db: SqliteDatabase, options: { busyRetryMs: number }) {
    this.#db = db;
    this.#busyRetryMs = options.busyRetryMs;
  }

  #stmt(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #write<T>(work: () => T): Promise<T> {
    const transaction = this.#db.transaction(work);
    return withBusyRetry(() => {
      const result = transaction.immediate();
      // This process's own change (a revoke) is seen by its very next request.
      this.#turnRevision = null;
      return result;
    }, this.#busyRetryMs);
  }

  #read<T>(work: () => T): Promise<T> {
    return withBusyRetry(work, this.#busyRetryMs);
  }

  #insertUser(user: ResolvedNewUser): SqliteUserRow | undefined {
    return this.#stmt(usersSql.insertUser).get(user) as SqliteUserRow | undefined;
  }

  /** Inserts a key, drawing a new one when a (48-bit) prefix is taken; undefined: no such user. */
  #insertKey(userId: string, label: string | null, material: () => KeyMaterial): CreatedKey | undefined {
    for (let attempt = 0; attempt < KEY_ATTEMPTS; attempt++) {
      const { key, prefix, hash } = material();
      const row = this.#stmt(usersSql.insertKey).get({
        id: newId(),
        userId,
        prefix,
        keyHash: hash,
        label,
      }) as SqliteKeyRow | undefined;
      if (row) return { key, id: row.id, prefix };
      if (!this.#stmt(usersSql.selectUser).get({ id: userId })) return undefined;
    }
    throw new Error(`could not find a free API key prefix in ${KEY_ATTEMPTS} attempts`);
  }

  async createUser(input: NewUser = {}): Promise<User> {
    const user = resolveNewUser(input);
    const row = await this.#write(() => this.#insertUser(user));
    if (!row) throw walletTaken(user.walletAddress ?? '');
    return userFromSqlite(row);
  }

  async getUser(id: string): Promise<User | null> {
    const row = await this.#read(
      () => this.#stmt(usersSql.selectUser).get({ id }) as SqliteUserRow | undefined,
    );
    return row ? userFromSqlite(row) : null;
  }

  async findByWallet(walletAddress: string): Promise<User | null> {
    const row = await this.#read(
      () => this.#stmt(usersSql.selectUserByWallet).get({ walletAddress }) as SqliteUserRow | undefined,
    );
    return row ? userFromSqlite(row) : null;
  }

  async ensureWalletUser(walletAddress: string): Promise<User> {
    const user = resolveNewUser({ walletAddress });
    const row = await this.#write(
      () =>
        this.#insertUser(user) ??
        (this.#stmt(usersSql.selectUserByWallet).get({ walletAddress }) as SqliteUserRow | undefined),
    );
    if (!row) throw new Error(`wallet ${walletAddress} is neither inserted nor found`);
    return userFromSqlite(row);
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.#read(() => this.#stmt(usersSql.selectUsers).all({}) as SqliteUserRow[]);
    return rows.map(userFromSqlite);
  }

  async countUsers(): Promise<number> {
    const row = await this.#read(() => this.#stmt(usersSql.countUsers).get({}) as { count: number });
    return row.count;
  }

  async adjustPoints(userId: string, delta: number): Promise<User> {
    checkPointsDelta(delta);
    return this.#write(() => {
      const row = this.#stmt(usersSql.adjustPoints).get({ id: userId, delta, maxPoints: MAX_POINTS }) as
        SqliteUserRow | undefined;
      if (row) return userFromSqlite(row);
      const current = this.#stmt(usersSql.selectUser).get({ id: userId }) as SqliteUserRow | undefined;
      if (!current) throw userNotFound(userId);
      if (current.prompt_points + delta < 0) throw pointsShort(userId, current.prompt_points, delta);
      throw balanceTooLarge(userId, current.prompt_points, delta, MAX_POINTS);
    });
  }

  async rotateWebhookSecret(userId: string, overlapSeconds: number): Promise<User> {
    const params = { id: userId, secret: newWebhookSecret(), overlapMs: overlapSeconds * 1000 };
    return this.#write(() => {
      const row = this.#stmt(usersSql.rotateWebhookSecret).get(params) as SqliteUserRow | undefined;
      if (row) return userFromSqlite(row);
      const current = this.#stmt(usersSql.selectUser).get({ id: userId }) as SqliteUserRow | undefined;
      if (!current) throw userNotFound(userId);
      throw rotationInProgress(userFromSqlite(current));
    });
  }

  async usage(userId: string): Promise<UserUsage> {
    const rows = await this.#read(
      () => this.#stmt(usersSql.usage).all({ userId }) as { status: string; count: number; points: number }[],
    );
    const jobs = countsByStatus(rows);
    return {
      jobs,
      totalJobs: rows.reduce((sum, row) => sum + row.count, 0),
      pointsCharged: rows.reduce((sum, row) => sum + row.points, 0),
    };
  }

  async createKey(userId: string, label: string | null = null): Promise<CreatedKey> {
    const created = await this.#write(() => this.#insertKey(userId, label, generateApiKey));
    if (!created) throw userNotFound(userId);
    return created;
  }

  async listKeys(userId: string): Promise<ApiKey[]> {
    const rows = await this.#read(() => this.#stmt(usersSql.selectKeys).all({ userId }) as SqliteKeyRow[]);
    return rows.map(keyFromSqlite);
  }

  async listAllKeys({ includeRevoked }: { includeRevoked: boolean }): Promise<OwnedApiKey[]> {
    const rows = await this.#read(
      () =>
        this.#stmt(usersSql.selectAllKeys).all({ includeRevoked: includeRevoked ? 1 : 0 }) as (Omit<
          SqliteKeyRow,
          'key_hash'
        > & { owner_role: string; owner_wallet_address: string | null })[],
    );
    return rows.map((row) => ({
      ...keyFromSqlite({ ...row, key_hash: '' }),
      ownerRole: row.owner_role as UserRole,
      ownerWalletAddress: row.owner_wallet_address,
    }));
  }

  async revokeKey(idOrPrefix: string, ownerId?: string): Promise<ApiKey> {
    const rows = await this.#write(
      () =>
        this.#stmt(usersSql.revokeKey).all({
          key: idOrPrefix,
          keyPrefix: lookupPrefix(idOrPrefix),
          ownerId: ownerId ?? null,
        }) as SqliteKeyRow[],
    );
    const [row] = rows;
    if (!row) throw keyNotFound(idOrPrefix);
    return keyFromSqlite(row);
  }

  async authenticate(plainKey: string): Promise<Authenticated | null> {
    const prefix = lookupPrefix(plainKey);
    if (prefix === null) return null;
    const row = await this.#read(
      () =>
        this.#stmt(usersSql.authenticate).get({ prefix }) as
          (SqliteUserRow & { key_id: string; key_hash: string; touch_due: number }) | undefined,
    );
    if (!row || !keyMatches(row.key_hash, plainKey)) return null;
    if (row.touch_due) this.#touch(row.key_id);
    return { user: userFromSqlite(row), keyId: row.key_id };
  }

  /**
   * Migration 0011's counter, bumped by triggers in the transaction of every change to keys or users
   * that could make a remembered answer wrong, whichever process made it. Read once per turn of the
   * event loop (requests that arrive together share the read) and again after this store's own
   * writes: a change committed by another process is seen from the next turn on, as PostgreSQL's
   * nodes see one when its notification arrives. Null when it cannot be read (then nothing is
   * remembered, and the lookup itself reports what is wrong).
   */
  keyRevision(): number | null {
    if (this.#turnRevision !== null) return this.#turnRevision;
    let revision: number;
    try {
      revision = this.#stmt(usersSql.keyRevision).pluck().get({}) as number;
    } catch {
      return null;
    }
    this.#turnRevision = revision;
    setImmediate(() => {
      this.#turnRevision = null;
    });
    return revision;
  }

  /** Best effort, never waits: when another process holds the write lock, the next minute will do. */
  #touch(keyId: string): void {
    try {
      this.#stmt(usersSql.touchKey).run({ id: keyId });
    } catch {
      // last_used_at is advisory; a busy database must not fail the request it describes.
    }
  }

  async createFirstAdmin(plainKey: string, label: string): Promise<{ user: User; keyId: string } | null> {
    const material = materialFor(plainKey);
    if (!material) throw malformedKey('the admin key');
    const admin = resolveNewUser({ role: 'admin' });
    return this.#write(() => {
      const present = this.#stmt(usersSql.anyUser).get({}) as { present: number };
      if (present.present) return null;
      const row = this.#insertUser(admin);
      if (!row) throw new Error('inserting the first user found a conflict in an empty table');
      const created = this.#insertKey(row.id, label, () => material);
      if (!created) throw new Error('the first admin vanished while its key was inserted');
      return { user: userFromSqlite(row), keyId: created.id };
    });
  }
}
