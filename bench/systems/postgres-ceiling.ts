/**
 * PostgreSQL's one-row-commit ceiling: a plain INSERT per call on one connection, each its own
 * transaction (fsync on). Sequential enqueue on PostgreSQL cannot beat this by much.
 */
import pg from 'pg';
import { dropSchema, POSTGRES_URL, uniqueName } from '../lib/services.js';
import type { QueueStore, QueueSystem } from './types.js';

class CeilingStore implements QueueStore {
  static async open(): Promise<CeilingStore> {
    const schema = uniqueName('ceiling');
    const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await client.connect();
    await client.query(`CREATE SCHEMA ${client.escapeIdentifier(schema)}`);
    await client.query('CREATE TABLE rows (id bigserial PRIMARY KEY, payload jsonb NOT NULL)');
    return new CeilingStore(schema, client);
  }

  private constructor(
    private readonly schema: string,
    private readonly client: pg.Client,
  ) {}

  async addOne(): Promise<void> {
    await this.client.query({
      name: 'insert_row',
      text: 'INSERT INTO rows (payload) VALUES ($1)',
      values: ['{}'],
    });
  }

  async addMany(): Promise<void> {
    throw new Error('the commit ceiling measures single inserts only');
  }

  async unfinished(): Promise<number> {
    return 0;
  }

  worker(): never {
    throw new Error('the commit ceiling has no worker');
  }

  async close(): Promise<void> {
    await this.client.end();
    await dropSchema(this.schema);
  }
}

export const postgresCeiling: QueueSystem = {
  id: 'pg-commit',
  label: 'PostgreSQL one-row commit (ceiling)',
  role: 'reference',
  scenarios: ['enqueue-single'],
  open: () => CeilingStore.open(),
};
