/**
 * A job's workflow on its page, and the new-job form's "Reveal bullets" switch, in Chromium
 * (test/support/chromium.ts) driven by playwright-core, against a real service with no worker: a
 * family four levels deep below a job and two above it is shown with each job's kind and status,
 * linked, as far as WORKFLOW_DEPTH, with what lies beyond counted; a job queued with the switch on
 * carries `reveal_bullets: true`, and the switch is off and disabled for the scrolling style.
 */
import path from 'node:path';
import { type Locator, type Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { leaseOf } from '../../src/jobs/model.js';
import { WORKFLOW_DEPTH } from '../../src/web/app/workflow-limits.js';
import { createJob } from '../support/api-helpers.js';
import { TINY_LESSON, type TestUser } from '../support/api-server.js';
import { useDashboardHarness } from '../support/dashboard-browser.js';

const EXAMPLE_LESSON = path.resolve('examples/photosynthesis.md');

describe("a job's workflow and the reveal-bullets switch in a real browser", () => {
  const dashboard = useDashboardHarness({
    settings: { RATE_LIMIT_PER_MINUTE: 0 },
    context: { viewport: { width: 1280, height: 900 } },
  });
  const { openPage, shoot } = dashboard;
  let alice: TestUser;

  beforeAll(async () => {
    alice = await dashboard.api.createUser({ wallet: 'wallet-alice-workflow', points: 100 });
  });

  /** A render waiting for `parents` (over HTTP, as a client queues one). */
  const render = async (...parents: string[]) =>
    (
      await createJob(dashboard.api, alice, {
        ...TINY_LESSON,
        depends_on: parents,
        on_parent_failure: 'cancel',
      })
    ).id;

  /** The line of job `id` in a workflow list: its link, kind and status. */
  const lineOf = (list: Locator, id: string) =>
    list.locator('.workflow-job').filter({ has: list.page().locator(`a[href="#/jobs/${id}"]`) });

  it("shows the job's parents and children, theirs and so on, with kinds and statuses, to a depth", async () => {
    const { api } = dashboard;
    // Above: grand ← parent ← job, and done (a completed sleep) ← job.
    const grand = (await createJob(api, alice, TINY_LESSON)).id;
    const parent = await render(grand);
    const { job: done } = await api.app.enqueue({ kind: 'sleep', payload: { ms: 1 }, userId: alice.id });
    const [claimed] = await api.app.jobs.claim({
      workerId: 'w',
      kinds: ['sleep'],
      limit: 1,
      leaseSeconds: 60,
    });
    expect(claimed?.id).toBe(done.id);
    await api.app.jobs.complete(leaseOf(claimed!), { slept: 1 });
    const { job } = await api.app.enqueue({
      kind: 'sleep',
      payload: { ms: 1 },
      userId: alice.id,
      dependsOn: [parent, done.id],
    });
    expect(job.status).toBe('waiting');
    // Below: job → child → g1 → g2 → g3, one level deeper than the view goes.
    const below = [job.id];
    for (let level = 1; level <= WORKFLOW_DEPTH + 1; level++) below.push(await render(below.at(-1)!));
    const [, child, g1, g2, g3] = below as [string, string, string, string, string];
    // And twin waits for both job and child: two paths lead to it, it is listed on both.
    const twin = await render(job.id, child);

    const page = await openPage(alice.key, `#/jobs/${job.id}`);
    const workflow = page.locator('.job-family');
    const parents = workflow.getByRole('list', { name: 'Parents' });
    const children = workflow.getByRole('list', { name: 'Children' });
    // Statuses and kinds come with the second read: wait for the deepest one shown.
    await lineOf(children, g2).getByText('waiting').waitFor();

    expect(await lineOf(parents, parent).innerText()).toMatch(/presentation\s+waiting/);
    expect(await lineOf(parents, done.id).innerText()).toMatch(/sleep\s+completed/);
    expect(await lineOf(parents, grand).innerText()).toMatch(/presentation\s+pending/);
    for (const id of [child, g1, g2]) {
      expect(await lineOf(children, id).innerText()).toMatch(/presentation\s+waiting/);
    }
    expect(await children.locator(`a[href="#/jobs/${g3}"]`).count()).toBe(0);
    await children.getByText('1 more waiting for it: open it to see').waitFor();
    await workflow.getByText('Waits for these jobs; if one fails, this job fails too.').waitFor();
    expect(await children.locator(`a[href="#/jobs/${twin}"]`).count()).toBe(2);
    await shoot(page, 'job-workflow');

    // On a phone the two trees stack, and nothing scrolls sideways.
    const phone = await openPage(alice.key, `#/jobs/${job.id}`, { viewport: { width: 390, height: 844 } });
    await lineOf(phone.locator('.job-family').getByRole('list', { name: 'Children' }), g2)
      .getByText('waiting')
      .waitFor();
    expect(await dashboard.sidewaysOverflow(phone)).toBeLessThanOrEqual(0);
    await shoot(phone, 'phone-job-workflow');

    // From the top: the grandparent's page shows the family down to the view's depth.
    await lineOf(parents, grand).getByRole('link').click();
    await page.waitForURL((url) => url.hash === `#/jobs/${grand}`);
    const fromTop = page.locator('.job-family').getByRole('list', { name: 'Children' });
    await lineOf(fromTop, child).getByText('waiting').waitFor();
    for (const id of [parent, job.id, child]) expect(await lineOf(fromTop, id).count()).toBe(1);
    expect(await fromTop.locator(`a[href="#/jobs/${g1}"]`).count()).toBe(0);
    expect(await page.locator('.job-family').getByRole('list', { name: 'Parents' }).count()).toBe(0);
  });

  /** Submits the new-job form on `page` and reads the queued job's payload over the API. */
  async function queuedPayload(page: Page): Promise<Record<string, unknown>> {
    await page.getByRole('button', { name: 'Queue the video' }).click();
    await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/);
    const id = decodeURIComponent(page.url().split('#/jobs/')[1] ?? '');
    const response = await dashboard.api.call(
      alice,
      'GET',
      `/api/presentations/jobs/${id}?include_payload=true`,
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { payload: Record<string, unknown> }).payload;
  }

  it('queues a render with reveal_bullets from the switch, which the scrolling style turns off', async () => {
    const page = await openPage(alice.key, '#/new');
    await page.getByLabel('Choose a lesson file').setInputFiles(EXAMPLE_LESSON);
    await page.getByText('Loaded photosynthesis.md (Markdown lesson).').waitFor();
    const reveal = page.getByRole('switch', { name: 'Reveal bullets as they are spoken' });
    expect(await reveal.isChecked()).toBe(false);

    await page.getByLabel('Style').selectOption('scrolling');
    expect(await reveal.isDisabled()).toBe(true);
    await page.getByText('Only with the default style.').waitFor();
    await page.getByLabel('Style').selectOption('default');
    expect(await reveal.isEnabled()).toBe(true);
    await reveal.check();
    await shoot(page, 'new-job-reveal-bullets');
    expect(await queuedPayload(page)).toMatchObject({
      reveal_bullets: true,
      style: 'default',
    });

    // Checked, then a style that cannot reveal: the switch goes off and the job is queued without it.
    const again = await openPage(alice.key, '#/new');
    await again.getByLabel('Choose a lesson file').setInputFiles(EXAMPLE_LESSON);
    const switchAgain = again.getByRole('switch', { name: 'Reveal bullets as they are spoken' });
    await switchAgain.check();
    await again.getByLabel('Style').selectOption('scrolling');
    expect(await switchAgain.isChecked()).toBe(false);
    expect(await queuedPayload(again)).toMatchObject({
      reveal_bullets: false,
      style: 'scrolling',
    });
  });
});
