/**
 * Users, their API keys and points (DESIGN §7; seed 004's `wallet_address` and `prompt_points`).
 * A user owns jobs through `jobs.user_id`.
 */
import type { JobStatus } from '../jobs/model.js';

/** `service`: a backend's key that acts for any wallet on seed 004's routes (see README). */
export const USER_ROLES = ['user', 'admin', 'service'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface User {
  id: string;
  walletAddress: string | null;
  role: UserRole;
  /** Seed 004's `prompt_points`: never negative; jobs are charged and refunded by the database. */
  promptPoints: number;
  /**
   * Signs this user's webhook deliveries (HMAC-SHA256, Standard Webhooks): `whsec_<base64 key>`.
   * Show it only to its owner.
   */
  webhookSecret: string;
  /**
   * The secret a rotation replaced, still signing deliveries beside the new one until
   * `previousWebhookSecretExpiresAt` (see src/webhooks/secret-rotation.ts); null when there is none.
   * Never shown: its owner already has it.
   */
  previousWebhookSecret: string | null;
  previousWebhookSecretExpiresAt: Date | null;
  createdAt: Date;
}

/** What a caller asks for; `resolveNewUser` checks it. */
export interface NewUser {
  walletAddress?: string | null;
  points?: number;
  role?: UserRole;
}

/** A key as listed: never the key itself, which is stored only as a hash. */
export interface ApiKey {
  id: string;
  userId: string;
  /** The public part of the key (`rq_<prefix>_…`), by which it is looked up. */
  prefix: string;
  label: string | null;
  createdAt: Date;
  /** Updated at most once a minute. */
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A key as an admin lists it: with its owner's role and wallet. */
export interface OwnedApiKey extends ApiKey {
  ownerRole: UserRole;
  ownerWalletAddress: string | null;
}

export interface CreatedKey {
  /** The plain key: shown once, never stored. */
  key: string;
  id: string;
  prefix: string;
}

export interface Authenticated {
  user: User;
  keyId: string;
}

export interface UserUsage {
  /** The user's jobs by status. */
  jobs: Record<JobStatus, number>;
  totalJobs: number;
  /** Points held by the user's jobs: charged and not refunded (pending, running, completed). */
  pointsCharged: number;
}
