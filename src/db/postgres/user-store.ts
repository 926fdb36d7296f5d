/**
 * The user store on PostgreSQL. Points are charged and refunded by the triggers of migration 0004;
 * the first admin is created under a table lock, so two processes starting together create one.
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
import type { NotificationListener } from './listener.js';
import { inTransaction, type PgClient, type PgPool } from './pool.js';
import { usersSql } from './sql/users-sql.js';
import { keyFromPg, userFromPg, type PgKeyRow, type PgUserRow } from './user-row.js';
import { statementNames, type PreparedStatements } from './named-statements.js';

type Queryable = Pick<PgPool, 'query'> | PgClient;

const STATEMENT_NAMES = statementNames('users', usersSql);

export class PostgresUserStore implements UserStore {
  readonly #pool: PgPool;
  readonly #listener: NotificationListener;
  /** Bumped by every `k` notification (migration 0006), every reconnect, and this store's revokes. */
  #keyRevision = 0;

  readonly #statements: PreparedStatements;

  constructor(pool: PgPool, listener: NotificationListener, statements: PreparedStatements) {
    this.#pool = pool;
    this.#statements = statements;
    this.#listener = listener;
    listener.on('keys', () => {
      this.#keyRevision++;
    });
  }

  /** Runs a statement; the fixed ones of `usersSql` may be named (named-statements.ts). */
  #rows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
    return this.#statements.rows<T>(db, STATEMENT_NAMES, sql, params);
  }

  async #insertUser(db: Queryable, user: ResolvedNewUser): Promise<PgUserRow | undefined> {
    const [row] = await this.#rows<PgUserRow>(db, usersSql.insertUser, [
      user.id,
      user.walletAddress,
      user.role,
      user.points,
      user.webhookSecret,
    ]);
    return row;
  }

  /** Inserts a key, drawing a new one when a (48-bit) prefix is taken; undefined: no such user. */
  async #insertKey(
    db: Queryable,
    userId: string,
    label: string | null,
    material: () => KeyMaterial,
  ): Promise<CreatedKey | undefined> {
    for (let attempt = 0; attempt < KEY_ATTEMPTS; attempt++) {
      const { key, prefix, hash } = material();
      const [row] = await this.#rows<PgKeyRow>(db, usersSql.insertKey, [
        newId(),
        userId,
        prefix,
        hash,
        label,
      ]);
      if (row) return { key, id: row.id, prefix };
      if ((await this.#rows(db, usersSql.selectUser, [userId])).length === 0) return undefined;
    }
    throw new Error(`could not find a free API key prefix in ${KEY_ATTEMPTS} attempts`);
  }

  async createUser(input: NewUser = {}): Promise<User> {
    const user = resolveNewUser(input);
    const row = await this.#insertUser(this.#pool, user);
    if (!row) throw walletTaken(user.walletAddress ?? '');
    return userFromPg(row);
  }

  async getUser(id: string): Promise<User | null> {
    const [row] = await this.#rows<PgUserRow>(this.#pool, usersSql.selectUser, [id]);
    return row ? userFromPg(row) : null;
  }

  async findByWallet(walletAddress: string): Promise<User | null> {
    const [row] = await this.#rows<PgUserRow>(this.#pool, usersSql.selectUserByWallet, [walletAddress]);
    return row ? userFromPg(row) : null;
  }

  async ensureWalletUser(walletAddress: string): Promise<User> {
    const user = resolveNewUser({ walletAddress });
    // ON CONFLICT waits for a concurrent insert of the wallet to commit; the read then sees its row.
    const row =
      (await this.#insertUser(this.#pool, user)) ??
      (await this.#rows<PgUserRow>(this.#pool, usersSql.selectUserByWallet, [walletAddress]))[0];
    if (!row) throw new Error(`wallet ${walletAddress} is neither inserted nor found`);
    return userFromPg(row);
  }

  async listUsers(): Promise<User[]> {
    return (await this.#rows<PgUserRow>(this.#pool, usersSql.selectUsers)).map(userFromPg);
  }

  async countUsers(): Promise<number> {
    const [row] = await this.#rows<{ count: number }>(this.#pool, usersSql.countUsers);
    return row?.count ?? 0;
  }

  async adjustPoints(userId: string, delta: number): Promise<User> {
    checkPointsDelta(delta);
    const [row] = await this.#rows<PgUserRow>(this.#pool, usersSql.adjustPoints, [userId, delta, MAX_POINTS]);
    if (row) return userFromPg(row);
    const current = await this.getUser(userId);
    if (!current) throw userNotFound(userId);
    if (current.promptPoints + delta < 0) throw pointsShort(userId, current.promptPoints, delta);
    throw balanceTooLarge(userId, current.promptPoints, delta, MAX_POINTS);
  }

  async rotateWebhookSecret(userId: string, overlapSeconds: number): Promise<User> {
    const [row] = await this.#rows<PgUserRow>(this.#pool, usersSql.rotateWebhookSecret, [
      userId,
      newWebhookSecret(),
      overlapSeconds,
    ]);
    if (row) return userFromPg(row);
    const current = await this.getUser(userId);
    if (!current) throw userNotFound(userId);
    throw rotationInProgress(current);
  }

  async usage(userId: string): Promise<UserUsage> {
    const counts = await this.#rows<{ status: string; count: number; points: number }>(
      this.#pool,
      usersSql.usage,
      [userId],
    );
    return {
      jobs: countsByStatus(counts),
      totalJobs: counts.reduce((sum, row) => sum + row.count, 0),
      pointsCharged: counts.reduce((sum, row) => sum + row.points, 0),
    };
  }

  async createKey(userId: string, label: string | null = null): Promise<CreatedKey> {
    const created = await this.#insertKey(this.#pool, userId, label, generateApiKey);
    if (!created) throw userNotFound(userId);
    return created;
  }

  async listKeys(userId: string): Promise<ApiKey[]> {
    return (await this.#rows<PgKeyRow>(this.#pool, usersSql.selectKeys, [userId])).map(keyFromPg);
  }

  async listAllKeys({ includeRevoked }: { includeRevoked: boolean }): Promise<OwnedApiKey[]> {
    type Row = Omit<PgKeyRow, 'key_hash'> & { owner_role: string; owner_wallet_address: string | null };
    return (await this.#rows<Row>(this.#pool, usersSql.selectAllKeys, [includeRevoked])).map((row) => ({
      ...keyFromPg({ ...row, key_hash: '' }),
      ownerRole: row.owner_role as UserRole,
      ownerWalletAddress: row.owner_wallet_address,
    }));
  }

  async revokeKey(idOrPrefix: string, ownerId?: string): Promise<ApiKey> {
    const [row] = await this.#rows<PgKeyRow>(this.#pool, usersSql.revokeKey, [
      idOrPrefix,
      lookupPrefix(idOrPrefix),
      ownerId ?? null,
    ]);
    if (!row) throw keyNotFound(idOrPrefix);
    // Seen here at once; other processes hear of it from the trigger's notification.
    this.#keyRevision++;
    return keyFromPg(row);
  }

  keyRevision(): number | null {
    this.#listener.start();
    return this.#listener.listening ? this.#keyRevision : null;
  }

  async authenticate(plainKey: string): Promise<Authenticated | null> {
    const prefix = lookupPrefix(plainKey);
    if (prefix === null) return null;
    const [row] = await this.#rows<PgUserRow & { key_id: string; key_hash: string; touch_due: boolean }>(
      this.#pool,
      usersSql.authenticate,
      [prefix],
    );
    if (!row || !keyMatches(row.key_hash, plainKey)) return null;
    if (row.touch_due) await this.#touch(row.key_id);
    return { user: userFromPg(row), keyId: row.key_id };
  }

  /** Best effort: last_used_at is advisory and must not fail the request it describes. */
  async #touch(keyId: string): Promise<void> {
    await this.#rows(this.#pool, usersSql.touchKey, [keyId]).catch(() => undefined);
  }

  async createFirstAdmin(plainKey: string, label: string): Promise<{ user: User; keyId: string } | null> {
    const material = materialFor(plainKey);
    if (!material) throw malformedKey('the admin key');
    const [present] = await this.#rows<{ present: boolean }>(this.#pool, usersSql.anyUser);
    if (present?.present) return null;
    const admin = resolveNewUser({ role: 'admin' });
    return inTransaction(this.#pool, async (client) => {
      await client.query(usersSql.lockUsers);
      const [again] = await this.#rows<{ present: boolean }>(client, usersSql.anyUser);
      if (again?.present) return null;
      const row = await this.#insertUser(client, admin);
      if (!row) throw new Error('inserting the first user found a conflict in an empty table');
      const created = await this.#insertKey(client, row.id, label, () => material);
      if (!created) throw new Error('the first admin vanished while its key was inserted');
      return { user: userFromPg(row), keyId: created.id };
    });
  }
}
