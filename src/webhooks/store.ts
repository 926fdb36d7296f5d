/**
 * The record of webhook deliveries, stated without driver types; `src/db/sqlite` and
 * `src/db/postgres` each implement it.
 */
import type { Scope } from '../jobs/store.js';
import type { NewWebhookDelivery, WebhookDelivery } from './model.js';

export interface WebhookStore {
  recordDelivery(delivery: NewWebhookDelivery): Promise<WebhookDelivery>;
  /** The deliveries of a job, oldest first; a job outside `scope` has none (owner checked in SQL). */
  listDeliveries(jobId: string, scope: Scope): Promise<WebhookDelivery[]>;
}
