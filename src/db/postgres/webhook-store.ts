/** The record of webhook deliveries on PostgreSQL; listing is scoped by the job's owner in SQL. */
import { isJobId } from '../../jobs/model.js';
import type { Scope } from '../../jobs/store.js';
import { newId } from '../../users/new-user.js';
import type { NewWebhookDelivery, WebhookDelivery } from '../../webhooks/model.js';
import type { WebhookStore } from '../../webhooks/store.js';
import type { PgPool } from './pool.js';
import { webhooksSql } from './sql/webhooks-sql.js';
import { deliveryFromPg, type PgDeliveryRow } from './webhook-row.js';

export class PostgresWebhookStore implements WebhookStore {
  readonly #pool: PgPool;

  constructor(pool: PgPool) {
    this.#pool = pool;
  }

  async recordDelivery(delivery: NewWebhookDelivery): Promise<WebhookDelivery> {
    const { rows } = await this.#pool.query<PgDeliveryRow>({
      text: webhooksSql.insertDelivery,
      values: [
        newId(),
        delivery.webhookJobId,
        delivery.jobId,
        delivery.attempt,
        delivery.url,
        delivery.event,
        delivery.statusCode,
        delivery.error,
        delivery.durationMs,
      ],
    });
    const [row] = rows;
    if (!row) throw new Error('inserting a webhook delivery returned no row');
    return deliveryFromPg(row);
  }

  async listDeliveries(jobId: string, scope: Scope): Promise<WebhookDelivery[]> {
    if (!isJobId(jobId)) return [];
    const { rows } = await this.#pool.query<PgDeliveryRow>({
      text: webhooksSql.listDeliveries,
      values: [jobId, scope.all ? null : scope.userId],
    });
    return rows.map(deliveryFromPg);
  }
}
