/**
 * Every SQL statement of the SQLite lesson store. Values are bind parameters; every read is scoped
 * by owner (`user_id = @userId`).
 */
import { boundCount } from './bound-count.js';
import { NOW } from './jobs-sql.js';

export const lessonsSql = {
  insert: `
    INSERT INTO lessons (id, user_id, title, body, created_at)
    VALUES (@id, @userId, @title, @body, ${NOW})
    RETURNING *`,

  select: `SELECT * FROM lessons WHERE id = @id AND user_id = @userId`,

  /** Newest first; @limit is one more than the page, to know whether another page follows. */
  list: `
    SELECT * FROM lessons WHERE user_id = @userId
    ORDER BY created_at DESC, id DESC LIMIT ${boundCount('limit')}`,

  /** The page after the cursor (@createdAt, @id). */
  listAfter: `
    SELECT * FROM lessons WHERE user_id = @userId AND (created_at, id) < (@createdAt, @id)
    ORDER BY created_at DESC, id DESC LIMIT ${boundCount('limit')}`,
} as const;
