/** `users` and `api_keys` rows as SQLite returns them, and their mapping to the domain model. */
import type { ApiKey, User, UserRole } from '../../users/model.js';

export interface SqliteUserRow {
  id: string;
  wallet_address: string | null;
  role: string;
  prompt_points: number;
  webhook_secret: string;
  previous_webhook_secret: string | null;
  previous_webhook_secret_expires_at: number | null;
  created_at: number;
}

export interface SqliteKeyRow {
  id: string;
  user_id: string;
  prefix: string;
  key_hash: string;
  label: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function userFromSqlite(row: SqliteUserRow): User {
  return {
    id: row.id,
    walletAddress: row.wallet_address,
    role: row.role as UserRole,
    promptPoints: row.prompt_points,
    webhookSecret: row.webhook_secret,
    previousWebhookSecret: row.previous_webhook_secret,
    previousWebhookSecretExpiresAt: date(row.previous_webhook_secret_expires_at),
    createdAt: new Date(row.created_at),
  };
}

export function keyFromSqlite(row: SqliteKeyRow): ApiKey {
  return {
    id: row.id,
    userId: row.user_id,
    prefix: row.prefix,
    label: row.label,
    createdAt: new Date(row.created_at),
    lastUsedAt: date(row.last_used_at),
    revokedAt: date(row.revoked_at),
  };
}
