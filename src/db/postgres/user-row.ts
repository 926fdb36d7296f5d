/** `users` and `api_keys` rows as the pg driver returns them, and their mapping to the model. */
import type { ApiKey, User, UserRole } from '../../users/model.js';

export interface PgUserRow {
  id: string;
  wallet_address: string | null;
  role: string;
  prompt_points: number;
  webhook_secret: string;
  previous_webhook_secret: string | null;
  previous_webhook_secret_expires_at: Date | null;
  created_at: Date;
}

export interface PgKeyRow {
  id: string;
  user_id: string;
  prefix: string;
  key_hash: string;
  label: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export function userFromPg(row: PgUserRow): User {
  return {
    id: row.id,
    walletAddress: row.wallet_address,
    role: row.role as UserRole,
    promptPoints: row.prompt_points,
    webhookSecret: row.webhook_secret,
    previousWebhookSecret: row.previous_webhook_secret,
    previousWebhookSecretExpiresAt: row.previous_webhook_secret_expires_at,
    createdAt: row.created_at,
  };
}

export function keyFromPg(row: PgKeyRow): ApiKey {
  return {
    id: row.id,
    userId: row.user_id,
    prefix: row.prefix,
    label: row.label,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
