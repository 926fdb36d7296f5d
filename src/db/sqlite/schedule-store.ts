/**
 * Schedules on SQLite. A firing is one BEGIN IMMEDIATE transaction: the guarded move of the
 * schedule's next tick, then its jobs (`jobsSql.insertMany`); the write lock serialises the
 * schedulers of every process, and only the first one still reads the tick it expected.
 */
import { priorityRank } from '../../jobs/model.js';
import { scheduleExists, scheduleNotFound } from '../../schedules/errors.js';
import type { Schedule, ScheduleDefinition } from '../../schedules/model.js';
import type { ScheduleFiring, ScheduleStore } from '../../schedules/store.js';
import { newJobsJson } from '../new-jobs-batch.js';
import { withBusyRetry } from './busy-retry.js';
import type { SqliteDatabase } from './connection.js';
import { scheduleFromSqlite, type SqliteScheduleRow } from './schedule-row.js';
import { holdSignals, type SqliteSignals } from './signals.js';
import { jobsSql } from './sql/jobs-sql.js';
import { schedulesSql } from './sql/schedules-sql.js';

type Statement = ReturnType<SqliteDatabase['prepare']>;

function definitionParams(definition: ScheduleDefinition): Record<string, unknown> {
  return {
    name: definition.name,
    cron: definition.cron,
    timeZone: definition.timeZone,
    kind: definition.kind,
    payload: JSON.stringify(definition.payload),
    priority: priorityRank(definition.priority),
    enabled: definition.enabled ? 1 : 0,
    catchUp: definition.catchUp,
    catchUpLimit: definition.catchUpLimit,
    nextRunAt: definition.nextRunAt?.getTime() ?? null,
  };
}

export class SqliteScheduleStore implements ScheduleStore {
  readonly #db: SqliteDatabase;
  readonly #busyRetryMs: number;
  readonly #signals: SqliteSignals;
  readonly #statements = new Map<string, Statement>();
  #closed = false;

  constructor(db: SqliteDatabase, filename: string, options: { busyRetryMs: number }) {
    this.#db = db;
    this.#busyRetryMs = options.busyRetryMs;
    this.#signals = holdSignals(filename);
  }

  #stmt(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #write<T>(work: () => T): Promise<T> {
    const transaction = this.#db.transaction(work);
    return withBusyRetry(() => transaction.immediate(), this.#busyRetryMs);
  }

  #read<T>(work: () => T): Promise<T> {
    return withBusyRetry(work, this.#busyRetryMs);
  }

  async create(definition: ScheduleDefinition): Promise<Schedule> {
    const row = await this.#write(
      () =>
        this.#stmt(schedulesSql.insert).get(definitionParams(definition)) as SqliteScheduleRow | undefined,
    );
    if (!row) throw scheduleExists(definition.name);
    return scheduleFromSqlite(row);
  }

  async get(name: string): Promise<Schedule | null> {
    const row = await this.#read(
      () => this.#stmt(schedulesSql.select).get({ name }) as SqliteScheduleRow | undefined,
    );
    return row ? scheduleFromSqlite(row) : null;
  }

  async list(): Promise<Schedule[]> {
    const rows = await this.#read(() => this.#stmt(schedulesSql.list).all({}) as SqliteScheduleRow[]);
    return rows.map(scheduleFromSqlite);
  }

  async update(definition: ScheduleDefinition, timingChanged: boolean): Promise<Schedule> {
    const row = await this.#write(
      () =>
        this.#stmt(schedulesSql.update).get({
          ...definitionParams(definition),
          setNext: timingChanged ? 1 : 0,
        }) as SqliteScheduleRow | undefined,
    );
    if (!row) throw scheduleNotFound(definition.name);
    return scheduleFromSqlite(row);
  }

  async remove(name: string): Promise<void> {
    const row = await this.#write(() => this.#stmt(schedulesSql.delete).get({ name }));
    if (!row) throw scheduleNotFound(name);
  }

  async due(now: Date, limit: number): Promise<Schedule[]> {
    const rows = await this.#read(
      () => this.#stmt(schedulesSql.due).all({ now: now.getTime(), limit }) as SqliteScheduleRow[],
    );
    return rows.map(scheduleFromSqlite);
  }

  async nextDueAt(): Promise<Date | null> {
    const row = await this.#read(() => this.#stmt(schedulesSql.nextDueAt).get({}) as { at: number | null });
    return row.at === null ? null : new Date(row.at);
  }

  async fire(firing: ScheduleFiring): Promise<string[] | null> {
    const ids = await this.#write(() => {
      const advanced = this.#stmt(schedulesSql.advance).get({
        name: firing.name,
        expected: firing.expectedNextRunAt.getTime(),
        nextRunAt: firing.nextRunAt.getTime(),
        lastRunAt: firing.lastRunAt?.getTime() ?? null,
      });
      if (!advanced) return null;
      if (firing.jobs.length === 0) return [];
      const { now } = this.#stmt(jobsSql.now).get({}) as { now: number };
      return this.#stmt(jobsSql.insertMany)
        .pluck()
        .all({ jobs: newJobsJson(firing.jobs), now }) as string[];
    });
    // A schedule's ticks are all of its kind.
    if (ids !== null) this.#signals.jobAvailable({ count: ids.length, kind: firing.jobs[0]?.kind ?? null });
    return ids;
  }

  /** Lets go of the wake-up files (once, however often the database is closed). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signals.release();
  }
}
