/** `lessons` rows as SQLite returns them, and their mapping to the model. */
import type { JsonObject } from '../../jobs/model.js';
import type { StoredLesson } from '../../lessons/model.js';

export interface SqliteLessonRow {
  id: string;
  user_id: string;
  title: string;
  body: string;
  created_at: number;
}

export function lessonFromSqlite(row: SqliteLessonRow): StoredLesson {
  return {
    id: row.id,
    userId: row.user_id,
    title: row.title,
    body: JSON.parse(row.body) as JsonObject,
    createdAt: new Date(row.created_at),
  };
}
