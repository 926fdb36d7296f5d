/**
 * Seed 000 (asyncpg `presentation_jobs`), its "Testing" section as written: start the server, create
 * a job via the API, `SELECT * FROM presentation_jobs;`, restart, the job still exists via the API;
 * and its `_get_job_from_db` read, `SELECT * FROM presentation_jobs WHERE job_id = $1`, with the
 * columns it maps into `PresentationJob`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness } from '../support/api-server.js';
import { pollJson, seedSql } from './seed-support.js';
import { SEED_000_COLUMNS } from '../support/seed-columns.js';

const BY_JOB_ID = {
  postgres: 'SELECT * FROM presentation_jobs WHERE job_id = $1',
  sqlite: 'SELECT * FROM presentation_jobs WHERE job_id = ?',
};

/** The columns seed 000's `_get_job_from_db` reads from the row. */
/** Seed 000's `json.loads(row['created_files'])`: asyncpg gives jsonb as text, pg parses it. */
const filesOf = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

describe('seed 000: asyncpg presentation_jobs', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('create via API, SELECT * FROM presentation_jobs, restart, the job still exists via the API', async () => {
    const created = await api.call(api.admin, 'POST', '/presentations', TINY_LESSON);
    expect(created.status).toBe(202);
    const { job_id } = await json<{ job_id: string }>(created);

    const all = await seedSql(api, {
      postgres: 'SELECT * FROM presentation_jobs;',
      sqlite: 'SELECT * FROM presentation_jobs;',
    });
    expect(all.map((row) => row.job_id)).toContain(job_id);

    await api.restart();
    const read = await api.call(api.admin, 'GET', `/presentations/${job_id}`);
    expect(read.status).toBe(200);
    expect(await json<{ job_id: string }>(read)).toMatchObject({ job_id });
  });

  it("_get_job_from_db's read as written gives every column it maps, with the seed's meanings once rendered", async () => {
    const created = await api.call(api.admin, 'POST', '/presentations', TINY_LESSON);
    const { job_id } = await json<{ job_id: string }>(created);
    const [queued] = await seedSql(api, BY_JOB_ID, [job_id]);
    expect(Object.keys(queued!)).toEqual(expect.arrayContaining(SEED_000_COLUMNS));
    expect(queued).toMatchObject({ job_id, error: null, video_url: null });
    expect(filesOf(queued!.created_files)).toEqual([]);

    await pollJson<{ status: string }>(api, api.admin, `/presentations/${job_id}`, (b) =>
      ['completed', 'failed'].includes(b.status),
    );
    const [done] = await seedSql(api, BY_JOB_ID, [job_id]);
    expect(done).toMatchObject({
      status: 'completed',
      progress_fraction: 1,
      error: null,
      video_url: `/api/videos/${job_id}`,
      thumbnail_url: `/api/videos/${job_id}/thumbnail`,
      slide_image_path: `/api/videos/${job_id}/thumbnail`,
    });
    expect(done!.completed_at).not.toBeNull();
    expect(filesOf(done!.created_files)).toEqual([
      `/api/videos/${job_id}`,
      `/api/videos/${job_id}/thumbnail`,
    ]);
    // The files the row names are served.
    const video = await api.call(api.admin, 'GET', String(done!.video_url));
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
  });

  it('a job_id that does not exist reads no row', async () => {
    const rows = await seedSql(api, BY_JOB_ID, ['00000000-0000-0000-0000-000000000000']);
    expect(rows).toEqual([]);
  });
});
