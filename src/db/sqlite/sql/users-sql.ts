/**
 * Every SQL statement of the SQLite user store. Values are bind parameters; the only text pasted in
 * is the constant clock expression.
 */
import { NOW } from './jobs-sql.js';

/** How often a key's `last_used_at` is written at most. */
const TOUCH_EVERY_MS = 60_000;
const touchDue = (column: string) => `(${column} IS NULL OR ${column} < ${NOW} - ${TOUCH_EVERY_MS})`;

export const usersSql = {
  /** A user whose wallet is taken is not inserted: no row comes back. */
  insertUser: `
    INSERT INTO users (id, wallet_address, role, prompt_points, webhook_secret, created_at)
    VALUES (@id, @walletAddress, @role, @points, @webhookSecret, ${NOW})
    ON CONFLICT (wallet_address) DO NOTHING
    RETURNING *`,

  selectUser: `SELECT * FROM users WHERE id = @id`,
  selectUserByWallet: `SELECT * FROM users WHERE wallet_address = @walletAddress`,
  selectUsers: `SELECT * FROM users ORDER BY created_at, id`,
  countUsers: `SELECT count(*) AS count FROM users`,
  anyUser: `SELECT EXISTS (SELECT 1 FROM users) AS present`,

  adjustPoints: `
    UPDATE users SET prompt_points = prompt_points + @delta
    WHERE id = @id AND prompt_points + @delta BETWEEN 0 AND @maxPoints
    RETURNING *`,

  /**
   * A new webhook secret; the current one stays valid for @overlapMs (none when 0). Nothing when
   * there is no such user, or while an earlier rotation's old secret is still valid (unless 0).
   */
  rotateWebhookSecret: `
    UPDATE users SET
      previous_webhook_secret = CASE WHEN @overlapMs > 0 THEN webhook_secret END,
      previous_webhook_secret_expires_at = CASE WHEN @overlapMs > 0 THEN ${NOW} + @overlapMs END,
      webhook_secret = @secret
    WHERE id = @id
      AND (@overlapMs = 0 OR previous_webhook_secret_expires_at IS NULL
        OR previous_webhook_secret_expires_at <= ${NOW})
    RETURNING *`,

  usage: `
    SELECT status, count(*) AS count, coalesce(sum(points_charged), 0) AS points
    FROM jobs WHERE user_id = @userId GROUP BY status`,

  /** Inserts nothing when the user does not exist, or when the prefix is taken. */
  insertKey: `
    INSERT INTO api_keys (id, user_id, prefix, key_hash, label, created_at)
    SELECT @id, users.id, @prefix, @keyHash, @label, ${NOW} FROM users WHERE users.id = @userId
    ON CONFLICT DO NOTHING
    RETURNING *`,

  selectKeys: `SELECT * FROM api_keys WHERE user_id = @userId ORDER BY created_at, id`,

  /** Every key with its owner's role and wallet; @includeRevoked 1 or 0. */
  selectAllKeys: `
    SELECT k.id, k.user_id, k.prefix, k.label, k.created_at, k.last_used_at, k.revoked_at,
      u.role AS owner_role, u.wallet_address AS owner_wallet_address
    FROM api_keys AS k JOIN users AS u ON u.id = k.user_id
    WHERE @includeRevoked = 1 OR k.revoked_at IS NULL
    ORDER BY k.created_at, k.id`,

  /** @key an id or a prefix; @keyPrefix the prefix of a whole key, or NULL; @ownerId NULL: any user's. */
  revokeKey: `
    UPDATE api_keys SET revoked_at = coalesce(revoked_at, ${NOW})
    WHERE (id = @key OR prefix = @key OR prefix = @keyPrefix) AND (@ownerId IS NULL OR user_id = @ownerId)
    RETURNING *`,

  /** The key and its user, by prefix; revoked keys never match. */
  authenticate: `
    SELECT k.id AS key_id, k.key_hash, ${touchDue('k.last_used_at')} AS touch_due,
      u.id, u.wallet_address, u.role, u.prompt_points, u.webhook_secret,
      u.previous_webhook_secret, u.previous_webhook_secret_expires_at, u.created_at
    FROM api_keys AS k JOIN users AS u ON u.id = k.user_id
    WHERE k.prefix = @prefix AND k.revoked_at IS NULL`,

  /** Migration 0011's counter of changes to keys and users. */
  keyRevision: 'SELECT revision FROM key_revision WHERE id = 1',

  touchKey: `UPDATE api_keys SET last_used_at = ${NOW} WHERE id = @id AND ${touchDue('last_used_at')}`,
} as const;
