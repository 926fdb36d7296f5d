/** The lesson store on PostgreSQL: every read is scoped by owner in SQL. */
import { decodeCursor, encodeCursor } from '../../jobs/cursor.js';
import { checkedLimit } from '../../jobs/numeric-arguments.js';
import type { LessonListFilter, LessonPage, StoredLesson } from '../../lessons/model.js';
import type { ResolvedNewLesson } from '../../lessons/new-lesson.js';
import type { LessonStore } from '../../lessons/store.js';
import { lessonFromPg, type PgLessonRow } from './lesson-row.js';
import type { PgPool } from './pool.js';
import { lessonsSql } from './sql/lessons-sql.js';

export class PostgresLessonStore implements LessonStore {
  readonly #pool: PgPool;

  constructor(pool: PgPool) {
    this.#pool = pool;
  }

  async #rows(sql: string, values: unknown[]): Promise<PgLessonRow[]> {
    return (await this.#pool.query<PgLessonRow>({ text: sql, values })).rows;
  }

  async create(lesson: ResolvedNewLesson): Promise<StoredLesson> {
    const [row] = await this.#rows(lessonsSql.insert, [
      lesson.id,
      lesson.userId,
      lesson.title,
      JSON.stringify(lesson.body),
    ]);
    if (!row) throw new Error('inserting a lesson returned no row');
    return lessonFromPg(row);
  }

  async get(id: string, ownerId: string): Promise<StoredLesson | null> {
    const [row] = await this.#rows(lessonsSql.select, [id, ownerId]);
    return row ? lessonFromPg(row) : null;
  }

  async list(ownerId: string, filter: LessonListFilter): Promise<LessonPage> {
    checkedLimit(filter.limit);
    const position = filter.cursor ? decodeCursor(filter.cursor) : null;
    const rows = position
      ? await this.#rows(lessonsSql.listAfter, [
          ownerId,
          filter.limit + 1,
          new Date(position.createdAtMs),
          position.id,
        ])
      : await this.#rows(lessonsSql.list, [ownerId, filter.limit + 1]);
    const lessons = rows.slice(0, filter.limit).map(lessonFromPg);
    const last = lessons[lessons.length - 1];
    const nextCursor =
      rows.length > filter.limit && last
        ? encodeCursor({ createdAtMs: last.createdAt.getTime(), id: last.id })
        : null;
    return { lessons, nextCursor };
  }
}
