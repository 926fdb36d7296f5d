/** Every SQL statement of the PostgreSQL lesson store. Values are bind parameters; every read is scoped by owner. */

export const lessonsSql = {
  /** $1 id, $2 user id, $3 title, $4 body (jsonb). */
  insert: `
    INSERT INTO lessons (id, user_id, title, body) VALUES ($1, $2, $3, $4::jsonb)
    RETURNING *`,

  /** $1 id, $2 owner. */
  select: `SELECT * FROM lessons WHERE id = $1 AND user_id = $2`,

  /** $1 owner, $2 limit (one more than the page, to know whether another page follows). */
  list: `
    SELECT * FROM lessons WHERE user_id = $1
    ORDER BY created_at DESC, id DESC LIMIT $2`,

  /** $1 owner, $2 limit, $3 and $4 the cursor's created_at and id. */
  listAfter: `
    SELECT * FROM lessons WHERE user_id = $1 AND (created_at, id) < ($3::timestamptz, $4::text)
    ORDER BY created_at DESC, id DESC LIMIT $2`,
} as const;
