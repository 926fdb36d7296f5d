/** Every SQL statement of the PostgreSQL user store. Values are bind parameters. */

/** How often a key's `last_used_at` is written at most. */
const touchDue = (column: string) => `(${column} IS NULL OR ${column} < now() - interval '1 minute')`;

export const usersSql = {
  /** $1 id, $2 wallet, $3 role, $4 points, $5 webhook secret. A taken wallet inserts nothing. */
  insertUser: `
    INSERT INTO users (id, wallet_address, role, prompt_points, webhook_secret)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (wallet_address) DO NOTHING
    RETURNING *`,

  selectUser: `SELECT * FROM users WHERE id = $1`,
  selectUserByWallet: `SELECT * FROM users WHERE wallet_address = $1`,
  selectUsers: `SELECT * FROM users ORDER BY created_at, id`,
  countUsers: `SELECT count(*) AS count FROM users`,
  anyUser: `SELECT EXISTS (SELECT 1 FROM users) AS present`,
  /** Held until commit: the first-admin check and insert run alone (reads are not blocked). */
  lockUsers: `LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE`,

  /** $1 id, $2 delta, $3 the largest balance. */
  adjustPoints: `
    UPDATE users SET prompt_points = prompt_points + $2
    WHERE id = $1 AND prompt_points::bigint + $2 BETWEEN 0 AND $3
    RETURNING *`,

  /**
   * $1 id, $2 the new webhook secret, $3 seconds the current one stays valid (none when 0). Nothing
   * when there is no such user, or while an earlier rotation's old secret is still valid (unless 0).
   */
  rotateWebhookSecret: `
    UPDATE users SET
      previous_webhook_secret = CASE WHEN $3::integer > 0 THEN webhook_secret END,
      previous_webhook_secret_expires_at =
        CASE WHEN $3::integer > 0 THEN now() + make_interval(secs => $3::integer) END,
      webhook_secret = $2
    WHERE id = $1
      AND ($3::integer = 0 OR previous_webhook_secret_expires_at IS NULL
        OR previous_webhook_secret_expires_at <= now())
    RETURNING *`,

  /** $1 user id. */
  usage: `
    SELECT status, count(*) AS count, coalesce(sum(points_charged), 0)::bigint AS points
    FROM jobs WHERE user_id = $1 GROUP BY status`,

  /** $1 id, $2 user id, $3 prefix, $4 key hash, $5 label. Nothing when no such user or the prefix is taken. */
  insertKey: `
    INSERT INTO api_keys (id, user_id, prefix, key_hash, label)
    SELECT $1, users.id, $3, $4, $5 FROM users WHERE users.id = $2
    ON CONFLICT DO NOTHING
    RETURNING *`,

  selectKeys: `SELECT * FROM api_keys WHERE user_id = $1 ORDER BY created_at, id`,

  /** Every key with its owner's role and wallet; $1 true to include revoked keys. */
  selectAllKeys: `
    SELECT k.id, k.user_id, k.prefix, k.label, k.created_at, k.last_used_at, k.revoked_at,
      u.role AS owner_role, u.wallet_address AS owner_wallet_address
    FROM api_keys AS k JOIN users AS u ON u.id = k.user_id
    WHERE $1::boolean OR k.revoked_at IS NULL
    ORDER BY k.created_at, k.id`,

  /** $1 an id or a prefix, $2 the prefix of a whole key or NULL, $3 owner or NULL for any user's. */
  revokeKey: `
    UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
    WHERE (id = $1 OR prefix = $1 OR prefix = $2) AND ($3::text IS NULL OR user_id = $3)
    RETURNING *`,

  /** $1 prefix. The key and its user; revoked keys never match. */
  authenticate: `
    SELECT k.id AS key_id, k.key_hash, ${touchDue('k.last_used_at')} AS touch_due,
      u.id, u.wallet_address, u.role, u.prompt_points, u.webhook_secret,
      u.previous_webhook_secret, u.previous_webhook_secret_expires_at, u.created_at
    FROM api_keys AS k JOIN users AS u ON u.id = k.user_id
    WHERE k.prefix = $1 AND k.revoked_at IS NULL`,

  /** $1 key id. */
  touchKey: `UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND ${touchDue('last_used_at')}`,
} as const;
