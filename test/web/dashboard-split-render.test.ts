/**
 * A presentation rendered split across workers, on its job page in Chromium (playwright-core) and in
 * the job resource: `split_render` says in how many segments it is rendered and how many are done,
 * and the page says it as `reelqueue jobs show` does, following the segments as they finish. The
 * split job is set up through the store, as the planning run leaves it (no worker runs here).
 */
import { describe, expect, it } from 'vitest';
import { KindRegistry } from '../../src/jobs/kinds.js';
import { leaseOf, type Job } from '../../src/jobs/model.js';
import { resolveNewJob } from '../../src/jobs/new-job.js';
import { SEGMENT_KIND } from '../../src/render/split/segment-payload.js';
import { createJob } from '../support/api-helpers.js';
import { TINY_LESSON } from '../support/api-server.js';
import { useDashboardHarness } from '../support/dashboard-browser.js';
import { stubKind } from '../support/job-factory.js';

describe('a split render on its job page', () => {
  const dashboard = useDashboardHarness({ settings: { RATE_LIMIT_PER_MINUTE: 0 } });

  it('shows in how many segments it is rendered and how many are done, as they finish', async () => {
    const { api } = dashboard;
    const alice = await api.createUser({ wallet: 'wallet-alice-split', points: 100 });
    const single = (await createJob(api, alice, TINY_LESSON)).id;
    const id = (await createJob(api, alice, TINY_LESSON)).id;
    // The planning run: claims the job, queues four segments (no owner) and waits for them.
    const claimed = await api.app.jobs.claim({
      workerId: 'planner',
      kinds: ['presentation'],
      limit: 2,
      leaseSeconds: 60,
    });
    const planned = claimed.find((job) => job.id === id);
    expect(planned).toBeDefined();
    const segmentKinds = new KindRegistry([stubKind(SEGMENT_KIND)]);
    const segments = await api.app.jobs.enqueueMany(
      [0, 1, 2, 3].map((index) =>
        resolveNewJob(
          { kind: SEGMENT_KIND, userId: null, payload: { owner_id: id, index, frames: 25 } },
          segmentKinds,
          { jobTimeoutSeconds: 600, maxRetries: 0 },
        ),
      ),
    );
    await api.app.jobs.waitForJobs(
      leaseOf(planned as Job),
      segments.map((s) => s.job.id),
      'Rendering 4 segments on the workers',
    );
    const finishSegment = async () => {
      const [segment] = await api.app.jobs.claim({
        workerId: 'segment-worker',
        kinds: [SEGMENT_KIND],
        limit: 1,
        leaseSeconds: 60,
      });
      await api.app.jobs.complete(leaseOf(segment as Job), {});
    };
    await finishSegment();

    const read = async (jobId: string) =>
      (await (await api.call(alice, 'GET', `/api/presentations/jobs/${jobId}`)).json()) as {
        split_render: unknown;
        depends_on: string[];
      };
    expect((await read(id)).split_render).toEqual({ segments: 4, done: 1 });
    // Its segments are the render's own parts, not jobs it was made to wait for: they belong to no
    // user, so listed as parents they showed on the page as four "gone" jobs.
    expect((await read(id)).depends_on).toEqual([]);
    expect((await read(single)).split_render).toBeNull();
    // The OpenAPI document describes the field.
    const openapi = (await (await api.call(null, 'GET', '/docs/json')).json()) as {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, unknown> }> } }>;
    };
    const answer = JSON.stringify(openapi.paths['/api/presentations/jobs/{id}']?.get.responses['200']);
    expect(answer).toContain('"split_render"');

    const page = await dashboard.openPage(alice.key, `#/jobs/${id}`);
    const split = page.locator('.facts > div').filter({ has: page.getByText('Split', { exact: true }) });
    await split.getByText('rendered in 4 segments, 1 done').waitFor();

    // A segment finishes: its progress report moves the bar, and the page reads the count again.
    await finishSegment();
    await api.app.jobs.reportWaitingProgress(id, {
      progress: 50,
      stage: 'encode',
      message: 'Rendering on the workers: 2 of 4 segments done',
    });
    await split.getByText('rendered in 4 segments, 2 done').waitFor();
    expect(await page.locator('.workflow-job').count()).toBe(0);
    await dashboard.shoot(page, 'job-split-render');

    // A job that is not split has no such line.
    const other = await dashboard.openPage(alice.key, `#/jobs/${single}`);
    await other.getByText('Details').first().waitFor();
    await other.locator('.facts').first().waitFor();
    expect(await other.locator('.facts dt', { hasText: /^Split$/ }).count()).toBe(0);
  });
});
