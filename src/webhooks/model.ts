/**
 * Webhook deliveries. A job whose payload has a `webhook_url` gets one `webhook` job per terminal
 * state it reaches, queued by a database trigger in the same transaction as the status change
 * (migration 0005); that job POSTs the job and records each attempt here.
 */
import type { FinishedStatus } from '../jobs/model.js';

/** The job kind that delivers webhooks. Only the database creates these jobs. */
export const WEBHOOK_KIND = 'webhook';

/** The payload the trigger writes on a `webhook` job. */
export interface WebhookPayload {
  jobId: string;
  url: string;
  status: FinishedStatus;
}

/** One attempt to deliver a webhook, as recorded. */
export interface WebhookDelivery {
  id: string;
  /** The `webhook` job that made the attempt (the `webhook-id` header, the same on every retry). */
  webhookJobId: string;
  /** The job the webhook is about. */
  jobId: string;
  /** The webhook job's attempt number, from 1. */
  attempt: number;
  url: string;
  /** `job.<status>`. */
  event: string;
  /** The receiver's HTTP status, or null when no answer came. */
  statusCode: number | null;
  /** Why the attempt failed (non-2xx, network error, timeout), or null when it was delivered. */
  error: string | null;
  durationMs: number;
  at: Date;
}

export type NewWebhookDelivery = Omit<WebhookDelivery, 'id' | 'at'>;
