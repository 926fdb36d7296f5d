/**
 * A job's parents and children on its page, in Chromium (test/support/chromium.ts) driven by
 * playwright-core, against a real service with no worker: a waiting child links to its parent, and
 * the parent's page links back to the child.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createJob } from '../support/api-helpers.js';
import { TINY_LESSON, type TestUser } from '../support/api-server.js';
import { useDashboardHarness } from '../support/dashboard-browser.js';

describe("a job's parents and children in a real browser", () => {
  const dashboard = useDashboardHarness({
    settings: { RATE_LIMIT_PER_MINUTE: 0 },
    context: { viewport: { width: 1280, height: 900 } },
  });
  let alice: TestUser;

  beforeAll(async () => {
    alice = await dashboard.api.createUser({ wallet: 'wallet-alice-dependencies', points: 50 });
  });

  const { openPage, shoot } = dashboard;

  it('links a waiting child to its parent and the parent back to its child', async () => {
    const parent = await createJob(dashboard.api, alice, TINY_LESSON);
    const child = await createJob(dashboard.api, alice, {
      ...TINY_LESSON,
      depends_on: [parent.id],
      on_parent_failure: 'run',
    });
    expect(child.status).toBe('waiting');

    const page = await openPage(alice.key, `#/jobs/${child.id}`);
    const parents = page.getByRole('list', { name: 'Parents' });
    await parents.waitFor();
    await page.getByText('if one fails, this job runs anyway').waitFor();
    await page.locator('.status-waiting').first().waitFor();
    expect(await page.getByRole('list', { name: 'Children' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel job' }).waitFor();
    await shoot(page, 'job-parents');

    await parents.getByRole('link').click();
    await page.waitForURL((url) => url.hash === `#/jobs/${parent.id}`);
    const children = page.getByRole('list', { name: 'Children' });
    await children.waitFor();
    expect(await children.getByRole('link').getAttribute('href')).toBe(`#/jobs/${child.id}`);
    expect(await page.getByRole('list', { name: 'Parents' }).count()).toBe(0);

    // The job list's status chips count the waiting job.
    const list = await openPage(alice.key, '#/jobs');
    const chips = list.getByRole('navigation', { name: 'Status' });
    await chips.getByRole('link', { name: 'waiting 1', exact: true }).waitFor();
  });
});
