/** `webhook_deliveries` rows as SQLite returns them, and their mapping to the model. */
import type { WebhookDelivery } from '../../webhooks/model.js';

export interface SqliteDeliveryRow {
  id: string;
  webhook_job_id: string;
  job_id: string;
  attempt: number;
  url: string;
  event: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  at: number;
}

export function deliveryFromSqlite(row: SqliteDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    webhookJobId: row.webhook_job_id,
    jobId: row.job_id,
    attempt: row.attempt,
    url: row.url,
    event: row.event,
    statusCode: row.status_code,
    error: row.error,
    durationMs: row.duration_ms,
    at: new Date(row.at),
  };
}
