/** The record of webhook deliveries on SQLite; listing is scoped by the job's owner in SQL. */
import { isJobId } from '../../jobs/model.js';
import type { Scope } from '../../jobs/store.js';
import { newId } from '../../users/new-user.js';
import type { NewWebhookDelivery, WebhookDelivery } from '../../webhooks/model.js';
import type { WebhookStore } from '../../webhooks/store.js';
import { withBusyRetry } from './busy-retry.js';
import type { SqliteDatabase } from './connection.js';
import { webhooksSql } from './sql/webhooks-sql.js';
import { deliveryFromSqlite, type SqliteDeliveryRow } from './webhook-row.js';

type Statement = ReturnType<SqliteDatabase['prepare']>;

export class SqliteWebhookStore implements WebhookStore {
  readonly #db: SqliteDatabase;
  readonly #busyRetryMs: number;
  readonly #statements = new Map<string, Statement>();

  constructor(db: SqliteDatabase, options: { busyRetryMs: number }) {
    this.#db = db;
    this.#busyRetryMs = options.busyRetryMs;
  }

  #stmt(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async recordDelivery(delivery: NewWebhookDelivery): Promise<WebhookDelivery> {
    const insert = this.#db.transaction(
      () => this.#stmt(webhooksSql.insertDelivery).get({ id: newId(), ...delivery }) as SqliteDeliveryRow,
    );
    return deliveryFromSqlite(await withBusyRetry(() => insert.immediate(), this.#busyRetryMs));
  }

  async listDeliveries(jobId: string, scope: Scope): Promise<WebhookDelivery[]> {
    if (!isJobId(jobId)) return [];
    const rows = await withBusyRetry(
      () =>
        this.#stmt(webhooksSql.listDeliveries).all({
          jobId,
          userId: scope.all ? null : scope.userId,
        }) as SqliteDeliveryRow[],
      this.#busyRetryMs,
    );
    return rows.map(deliveryFromSqlite);
  }
}
