/**
 * Every SQL statement of the SQLite webhook store. Values are bind parameters. The `webhook` jobs
 * themselves are queued by trigger jobs_webhook_enqueue (migration 0005), not from here.
 */
import { NOW } from './jobs-sql.js';

export const webhooksSql = {
  insertDelivery: `
    INSERT INTO webhook_deliveries (id, webhook_job_id, job_id, attempt, url, event, status_code, error,
      duration_ms, at)
    VALUES (@id, @webhookJobId, @jobId, @attempt, @url, @event, @statusCode, @error, @durationMs, ${NOW})
    RETURNING *`,

  /** @userId NULL: any owner's job (admin); else only that user's. */
  listDeliveries: `
    SELECT d.* FROM webhook_deliveries AS d JOIN jobs AS j ON j.id = d.job_id
    WHERE d.job_id = @jobId AND (@userId IS NULL OR j.user_id = @userId)
    ORDER BY d.at, d.attempt, d.id`,
} as const;
