/** The lesson store on SQLite: every read is scoped by owner in SQL. */
import { decodeCursor, encodeCursor } from '../../jobs/cursor.js';
import { checkedLimit } from '../../jobs/numeric-arguments.js';
import type { LessonListFilter, LessonPage, StoredLesson } from '../../lessons/model.js';
import type { ResolvedNewLesson } from '../../lessons/new-lesson.js';
import type { LessonStore } from '../../lessons/store.js';
import { withBusyRetry } from './busy-retry.js';
import type { SqliteDatabase } from './connection.js';
import { lessonFromSqlite, type SqliteLessonRow } from './lesson-row.js';
import { lessonsSql } from './sql/lessons-sql.js';

type Statement = ReturnType<SqliteDatabase['prepare']>;

export class SqliteLessonStore implements LessonStore {
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

  async create(lesson: ResolvedNewLesson): Promise<StoredLesson> {
    const insert = this.#db.transaction(
      () =>
        this.#stmt(lessonsSql.insert).get({
          id: lesson.id,
          userId: lesson.userId,
          title: lesson.title,
          body: JSON.stringify(lesson.body),
        }) as SqliteLessonRow,
    );
    return lessonFromSqlite(await withBusyRetry(() => insert.immediate(), this.#busyRetryMs));
  }

  async get(id: string, ownerId: string): Promise<StoredLesson | null> {
    const row = await withBusyRetry(
      () => this.#stmt(lessonsSql.select).get({ id, userId: ownerId }) as SqliteLessonRow | undefined,
      this.#busyRetryMs,
    );
    return row ? lessonFromSqlite(row) : null;
  }

  async list(ownerId: string, filter: LessonListFilter): Promise<LessonPage> {
    checkedLimit(filter.limit);
    const position = filter.cursor ? decodeCursor(filter.cursor) : null;
    const rows = await withBusyRetry(
      () =>
        (position
          ? this.#stmt(lessonsSql.listAfter).all({
              userId: ownerId,
              createdAt: position.createdAtMs,
              id: position.id,
              limit: filter.limit + 1,
            })
          : this.#stmt(lessonsSql.list).all({
              userId: ownerId,
              limit: filter.limit + 1,
            })) as SqliteLessonRow[],
      this.#busyRetryMs,
    );
    const lessons = rows.slice(0, filter.limit).map(lessonFromSqlite);
    const last = lessons[lessons.length - 1];
    const nextCursor =
      rows.length > filter.limit && last
        ? encodeCursor({ createdAtMs: last.createdAt.getTime(), id: last.id })
        : null;
    return { lessons, nextCursor };
  }
}
