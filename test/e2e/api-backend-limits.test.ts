/**
 * The seeds' own tests (seed 001/002: 100 jobs created at once, then 1,000 status reads) pass with
 * default settings for a backend's key, while an end user's key keeps its limits: admin keys (and
 * any role but `user`) have ADMIN_MAX_ACTIVE_JOBS and ADMIN_RATE_LIMIT_PER_MINUTE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, json, type WireJob } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';

const CREATIONS = 100;
const READS = 1000;

describe('HTTP API: limits for backend keys, with default settings', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({}, { workers: 0 });
  });
  afterAll(() => api.close());

  /** Creates `CREATIONS` jobs at once; the statuses answered, and one job created. */
  async function createAtOnce(caller: TestUser) {
    const answers = await Promise.all(
      Array.from({ length: CREATIONS }, () =>
        api.call(caller, 'POST', '/api/presentations/generate', TINY_LESSON),
      ),
    );
    const created = answers.find((answer) => answer.status === 202);
    const codes = await Promise.all(
      answers.filter((answer) => answer.status !== 202).map(async (answer) => (await errorOf(answer)).code),
    );
    const job = created ? await json<WireJob>(created) : undefined;
    return { statuses: answers.map((answer) => answer.status), codes, job };
  }

  /** Reads a job's status `READS` times, 100 at a time; the statuses and error codes answered. */
  async function readMany(caller: TestUser, id: string) {
    const statuses: number[] = [];
    const codes = new Set<string>();
    for (let batch = 0; batch < READS / 100; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => api.call(caller, 'GET', `/api/presentations/jobs/${id}`)),
      );
      for (const answer of answers) {
        statuses.push(answer.status);
        if (answer.status === 200) await answer.arrayBuffer();
        else codes.add((await errorOf(answer)).code);
      }
    }
    return { statuses, codes };
  }

  it('an admin key creates 100 jobs at once and reads a status 1,000 times with no 429', async () => {
    const created = await createAtOnce(api.admin);
    expect(created.codes).toEqual([]);
    expect(created.statuses.every((status) => status === 202)).toBe(true);
    const reads = await readMany(api.admin, created.job!.id);
    expect(reads.codes).toEqual(new Set());
    expect(reads.statuses.filter((status) => status !== 200)).toEqual([]);
  });

  it('a user key is still limited: TOO_MANY_JOBS past 20 active jobs, RATE_LIMITED past 600 requests', async () => {
    const user = await api.createUser();
    const created = await createAtOnce(user);
    expect(created.statuses.filter((status) => status === 202)).toHaveLength(20);
    expect(new Set(created.codes)).toEqual(new Set(['TOO_MANY_JOBS']));
    const reads = await readMany(user, created.job!.id);
    // 600 requests of allowance, 100 of them spent creating; a refill of 10 a second meanwhile.
    expect(reads.statuses.filter((status) => status === 429).length).toBeGreaterThan(300);
    expect(reads.codes).toEqual(new Set(['RATE_LIMITED']));
  });
});
