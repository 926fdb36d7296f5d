/** `lessons` rows as the pg driver returns them, and their mapping to the model. */
import type { JsonObject } from '../../jobs/model.js';
import type { StoredLesson } from '../../lessons/model.js';

export interface PgLessonRow {
  id: string;
  user_id: string;
  title: string;
  body: JsonObject;
  created_at: Date;
}

export function lessonFromPg(row: PgLessonRow): StoredLesson {
  return { id: row.id, userId: row.user_id, title: row.title, body: row.body, createdAt: row.created_at };
}
