/** Seed 000's table (asyncpg, main.py): the columns its `_get_job_from_db` reads. */
export const SEED_000_COLUMNS = [
  'job_id',
  'status',
  'progress',
  'error',
  'video_url',
  'thumbnail_url',
  'slide_image_path',
  'created_at',
  'completed_at',
  'last_heartbeat',
  'created_files',
];
