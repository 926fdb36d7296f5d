/**
 * Schedules on PostgreSQL. A firing is one transaction: the guarded move of the schedule's next
 * tick (the row lock makes a concurrent firing wait, then find the tick gone), then its jobs
 * (`jobsSql.insertMany`, which wakes the workers of every node with NOTIFY at commit).
 */
import { priorityRank } from '../../jobs/model.js';
import { scheduleExists, scheduleNotFound } from '../../schedules/errors.js';
import type { Schedule, ScheduleDefinition } from '../../schedules/model.js';
import type { ScheduleFiring, ScheduleStore } from '../../schedules/store.js';
import { newJobsColumns } from '../new-jobs-batch.js';
import { inTransaction, type PgClient, type PgPool } from './pool.js';
import { scheduleFromPg, type PgScheduleRow } from './schedule-row.js';
import { jobsSql } from './sql/jobs-sql.js';
import { schedulesSql } from './sql/schedules-sql.js';

function definitionValues(definition: ScheduleDefinition): unknown[] {
  return [
    definition.name,
    definition.cron,
    definition.timeZone,
    definition.kind,
    JSON.stringify(definition.payload),
    priorityRank(definition.priority),
    definition.enabled,
    definition.catchUp,
    definition.catchUpLimit,
    definition.nextRunAt?.toISOString() ?? null,
  ];
}

export class PostgresScheduleStore implements ScheduleStore {
  readonly #pool: PgPool;
  readonly #channel: string;

  /** `channel`: the wake-up channel of this schema's workers. */
  constructor(pool: PgPool, channel: string) {
    this.#pool = pool;
    this.#channel = channel;
  }

  async #rows<T>(sql: string, values: unknown[], db: PgPool | PgClient = this.#pool): Promise<T[]> {
    return (await db.query({ text: sql, values })).rows as T[];
  }

  async create(definition: ScheduleDefinition): Promise<Schedule> {
    const [row] = await this.#rows<PgScheduleRow>(schedulesSql.insert, definitionValues(definition));
    if (!row) throw scheduleExists(definition.name);
    return scheduleFromPg(row);
  }

  async get(name: string): Promise<Schedule | null> {
    const [row] = await this.#rows<PgScheduleRow>(schedulesSql.select, [name]);
    return row ? scheduleFromPg(row) : null;
  }

  async list(): Promise<Schedule[]> {
    return (await this.#rows<PgScheduleRow>(schedulesSql.list, [])).map(scheduleFromPg);
  }

  async update(definition: ScheduleDefinition, timingChanged: boolean): Promise<Schedule> {
    const [row] = await this.#rows<PgScheduleRow>(schedulesSql.update, [
      ...definitionValues(definition),
      timingChanged,
    ]);
    if (!row) throw scheduleNotFound(definition.name);
    return scheduleFromPg(row);
  }

  async remove(name: string): Promise<void> {
    const [row] = await this.#rows(schedulesSql.delete, [name]);
    if (!row) throw scheduleNotFound(name);
  }

  async due(now: Date, limit: number): Promise<Schedule[]> {
    return (await this.#rows<PgScheduleRow>(schedulesSql.due, [now.toISOString(), limit])).map(
      scheduleFromPg,
    );
  }

  async nextDueAt(): Promise<Date | null> {
    const [row] = await this.#rows<{ at: Date | null }>(schedulesSql.nextDueAt, []);
    return row?.at ?? null;
  }

  fire(firing: ScheduleFiring): Promise<string[] | null> {
    return inTransaction(this.#pool, async (client) => {
      const [advanced] = await this.#rows(
        schedulesSql.advance,
        [
          firing.name,
          firing.expectedNextRunAt.toISOString(),
          firing.nextRunAt.toISOString(),
          firing.lastRunAt?.toISOString() ?? null,
        ],
        client,
      );
      if (!advanced) return null;
      if (firing.jobs.length === 0) return [];
      const [batch] = await this.#rows<{ keyed_ids: string[] }>(
        jobsSql.insertMany,
        [...newJobsColumns(firing.jobs), this.#channel],
        client,
      );
      return batch?.keyed_ids ?? [];
    });
  }
}
