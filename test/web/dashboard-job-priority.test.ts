/**
 * A pending job's priority changed from its page in Chromium (test/support/chromium.ts) driven by
 * playwright-core, against a real service with no worker: the job moves to the front of the queue,
 * which the API then reports; a running job's page offers no priority to change.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createJob, getJob } from '../support/api-helpers.js';
import { TINY_LESSON, type TestUser } from '../support/api-server.js';
import { useDashboardHarness } from '../support/dashboard-browser.js';

describe("a pending job's priority in a real browser", () => {
  const dashboard = useDashboardHarness({
    settings: { RATE_LIMIT_PER_MINUTE: 0 },
    context: { viewport: { width: 1280, height: 900 } },
  });
  let alice: TestUser;

  beforeAll(async () => {
    alice = await dashboard.api.createUser({ wallet: 'wallet-alice-priority', points: 50 });
  });

  const { openPage, shoot } = dashboard;

  it('moves a pending job to the front of the queue from its page', async () => {
    await createJob(dashboard.api, alice, { ...TINY_LESSON, priority: 'normal' });
    await createJob(dashboard.api, alice, { ...TINY_LESSON, priority: 'normal' });
    const job = await createJob(dashboard.api, alice, { ...TINY_LESSON, priority: 'low' });
    const page = await openPage(alice.key, `#/jobs/${job.id}`);
    const facts = page.locator('dl.facts');
    await facts.getByText('2 jobs', { exact: true }).waitFor();

    await page.getByRole('combobox', { name: 'Priority' }).selectOption('urgent');
    await page.getByRole('button', { name: 'Change priority' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'The priority is now urgent; jobs ahead: none: it is next.' })
      .waitFor();
    await facts.getByText('none: it is next', { exact: true }).waitFor();
    expect(await getJob(dashboard.api, alice, job.id)).toMatchObject({
      priority: 'urgent',
      queue_position: 0,
    });
    await shoot(page, 'job-priority-changed');

    // Once a worker has it, the page offers no priority (the API would answer 409 JOB_NOT_PENDING).
    const [claimed] = await dashboard.api.app.jobs.claim({
      workerId: 'priority-browser-worker',
      kinds: ['presentation'],
      limit: 1,
      leaseSeconds: 60,
    });
    expect(claimed?.id).toBe(job.id);
    const running = await openPage(alice.key, `#/jobs/${job.id}`);
    await running.getByRole('button', { name: 'Cancel job' }).waitFor();
    expect(await running.getByRole('button', { name: 'Change priority' }).count()).toBe(0);
  });
});
