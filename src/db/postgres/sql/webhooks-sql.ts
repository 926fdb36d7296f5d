/**
 * Every SQL statement of the PostgreSQL webhook store. Values are bind parameters. The `webhook`
 * jobs themselves are queued by trigger jobs_webhook_enqueue (migration 0005), not from here.
 */

export const webhooksSql = {
  /** $1 id, $2 webhook job id, $3 job id, $4 attempt, $5 url, $6 event, $7 status code, $8 error, $9 duration ms. */
  insertDelivery: `
    INSERT INTO webhook_deliveries (id, webhook_job_id, job_id, attempt, url, event, status_code, error,
      duration_ms)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    RETURNING *`,

  /** $1 job id, $2 owner or NULL for any owner's job (admin). */
  listDeliveries: `
    SELECT d.* FROM webhook_deliveries AS d JOIN jobs AS j ON j.id = d.job_id
    WHERE d.job_id = $1 AND ($2::text IS NULL OR j.user_id = $2)
    ORDER BY d.at, d.attempt, d.id`,
} as const;
