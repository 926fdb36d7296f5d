/**
 * Users and API keys, stated without driver types. `src/db/sqlite` and `src/db/postgres` each
 * implement this interface; the conformance suite proves they behave the same.
 *
 * Points are charged and refunded by the database itself (triggers on `jobs`), in the transaction
 * that inserts the job or changes its status; this store only reads and adjusts balances.
 */
import type { ApiKey, Authenticated, CreatedKey, NewUser, OwnedApiKey, User, UserUsage } from './model.js';

export interface UserStore {
  /** Throws `WALLET_TAKEN` when another user has the wallet, `VALIDATION_FAILED` on bad input. */
  createUser(input?: NewUser): Promise<User>;
  getUser(id: string): Promise<User | null>;
  findByWallet(walletAddress: string): Promise<User | null>;
  /**
   * The user holding the wallet, created (role `user`, no points) when there is none: one user
   * however many callers ask at once (the wallet is unique; a losing insert reads the winner's row).
   * `VALIDATION_FAILED` for a malformed wallet.
   */
  ensureWalletUser(walletAddress: string): Promise<User>;
  /** Every user, oldest first. */
  listUsers(): Promise<User[]>;
  countUsers(): Promise<number>;
  /**
   * Adds `delta` (may be negative) to a balance and returns the user. `USER_NOT_FOUND`;
   * `INSUFFICIENT_POINTS` when it would go below zero.
   */
  adjustPoints(userId: string, delta: number): Promise<User>;
  /**
   * Gives the user a new webhook secret; the current one keeps signing deliveries for
   * `overlapSeconds` (database clock; none when 0). The caller checks the overlap
   * (src/webhooks/secret-rotation.ts). `USER_NOT_FOUND`; `WEBHOOK_ROTATION_IN_PROGRESS` while an
   * earlier rotation's old secret is still valid, unless `overlapSeconds` is 0 (which retires it).
   */
  rotateWebhookSecret(userId: string, overlapSeconds: number): Promise<User>;
  /** The user's jobs by status, in one query scoped by owner. */
  usage(userId: string): Promise<UserUsage>;

  /** A new key for the user; the plain key is in the result and nowhere else. `USER_NOT_FOUND`. */
  createKey(userId: string, label?: string | null): Promise<CreatedKey>;
  /** The user's keys, oldest first (never the keys themselves). */
  listKeys(userId: string): Promise<ApiKey[]>;
  /** Every user's keys with their owner's role and wallet, oldest first; revoked ones only if asked. */
  listAllKeys(options: { includeRevoked: boolean }): Promise<OwnedApiKey[]>;
  /**
   * Revokes a key named by its id, its prefix or the whole key; with `ownerId`, only that user's.
   * Revoking twice keeps the first time. `KEY_NOT_FOUND`.
   */
  revokeKey(idOrPrefix: string, ownerId?: string): Promise<ApiKey>;
  /**
   * The user a presented key belongs to, or null for a wrong, revoked or malformed key (never an
   * error for bad input). Updates the key's `last_used_at` at most once a minute.
   */
  authenticate(plainKey: string): Promise<Authenticated | null>;
  /**
   * For callers that remember `authenticate` answers: a number that changes whenever a change to
   * keys or users, made by any process, could make such an answer wrong; null while such changes
   * cannot be seen, and then nothing may be remembered. Read it before `authenticate`: the answer
   * stays right while the number is unchanged.
   */
  keyRevision(): number | null;

  /**
   * Creates an admin and a key for `plainKey`, only while there are no users at all; null when
   * there are. Atomic across processes: of two starting together, one creates, the other gets null.
   */
  createFirstAdmin(plainKey: string, label: string): Promise<{ user: User; keyId: string } | null>;
}
