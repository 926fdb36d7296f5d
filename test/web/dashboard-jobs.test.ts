/**
 * The dashboard's job list and job page (issue 26) in Chromium (test/support/chromium.ts) driven by
 * playwright-core, against a real service with no worker: the tests run each attempt themselves
 * through the store, as a worker would, so every attempt has a known worker and error.
 */
import { type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { JobWire } from '../../src/api/schemas/job-wire.js';
import { leaseOf, type Job } from '../../src/jobs/model.js';
import { ALL_JOBS } from '../../src/jobs/store.js';
import { TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';
import { useDashboardHarness } from '../support/dashboard-browser.js';

const LAPTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const LONG_NOTE = 'Narration that goes on and on. '.repeat(15).trim();

describe('dashboard: the job list and the job page', () => {
  const dashboard = useDashboardHarness({ context: { viewport: LAPTOP } });
  const { openPage, heading, shoot } = dashboard;
  const rowIds = (page: Page) =>
    page
      .locator('tbody tr[data-job-id]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-job-id')));

  async function render(user: TestUser): Promise<JobWire> {
    const response = await dashboard.api.call(user, 'POST', '/api/presentations/generate', TINY_LESSON);
    expect(response.status).toBe(202);
    return (await response.json()) as JobWire;
  }

  async function sleeper(user: TestUser, extra: Partial<Parameters<ApiHarness['app']['enqueue']>[0]> = {}) {
    const { job } = await dashboard.api.app.enqueue({
      kind: 'sleep',
      payload: { ms: 1 },
      userId: user.id,
      ...extra,
    });
    return job;
  }

  /** Runs one attempt of `job` as worker `workerId` would, failing it with `code`. */
  async function failAttempt(job: Job, workerId: string, code: string, message: string, retry: boolean) {
    const [claimed] = await dashboard.api.app.jobs.claim({
      workerId,
      kinds: [job.kind],
      limit: 1,
      leaseSeconds: 60,
    });
    expect(claimed?.id).toBe(job.id);
    return dashboard.api.app.jobs.fail(leaseOf(claimed!), {
      code,
      message,
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: retry ? 0 : null,
    });
  }

  it('lists jobs with their kind, counts them per status on the chips, and filters by status, kind and id start', async () => {
    const user = await dashboard.api.createUser({ wallet: 'wallet-list' });
    const [first, second] = [await render(user), await render(user)];
    const nap = await sleeper(user);
    const cancelled = await dashboard.api.call(user, 'POST', `/api/presentations/jobs/${nap.id}/cancel`, {});
    expect(cancelled.status).toBe(200);

    const page = await openPage(user.key, '#/jobs');
    await heading(page, 'Jobs').waitFor();
    const chips = page.getByRole('navigation', { name: 'Status' });
    await chips.getByRole('link', { name: 'all 3', exact: true }).waitFor();
    await chips.getByRole('link', { name: 'pending 2', exact: true }).waitFor();
    await chips.getByRole('link', { name: 'cancelled 1', exact: true }).waitFor();
    await chips.getByRole('link', { name: 'failed 0', exact: true }).waitFor();
    await page.getByRole('columnheader', { name: 'Kind' }).waitFor();
    await page.locator(`tr[data-job-id="${nap.id}"] td.col-kind`).filter({ hasText: 'sleep' }).waitFor();
    await page
      .locator(`tr[data-job-id="${first.id}"] td.col-kind`)
      .filter({ hasText: 'presentation' })
      .waitFor();
    await shoot(page, 'jobs-chips-and-kinds');

    // A chip filters by its status, and reads as the current one.
    await chips.getByRole('link', { name: 'cancelled 1' }).click();
    await page.locator('main[data-route*="status=cancelled"]').waitFor();
    await expect.poll(() => rowIds(page)).toEqual([nap.id]);
    expect(await chips.getByRole('link', { name: 'cancelled 1' }).getAttribute('aria-current')).toBe('true');
    await chips.getByRole('link', { name: 'all 3' }).click();
    await page.locator('main[data-route="#/jobs"]').waitFor();
    await expect.poll(() => rowIds(page)).toHaveLength(3);

    // The kind filter; the chips keep it when choosing a status.
    await page.getByLabel('Kind').selectOption('presentation');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('main[data-route*="kind=presentation"]').waitFor();
    await expect.poll(() => rowIds(page)).toEqual([second.id, first.id]);
    await chips.getByRole('link', { name: 'cancelled 1' }).click();
    await page.locator('main[data-route*="status=cancelled"][data-route*="kind=presentation"]').waitFor();
    await page.getByText('No jobs here yet.').waitFor();

    // The start of an id (UUIDv7s of one moment share their first digits: enough of it to tell them apart).
    await page.goto(`${dashboard.api.baseUrl}/#/jobs`);
    await heading(page, 'Jobs').waitFor();
    const search = page.getByLabel('Job id or its start');
    await search.fill(first.id.slice(0, 30).toUpperCase());
    await page.getByRole('button', { name: 'Find' }).click();
    await page.locator('main[data-route*="id_prefix="]').waitFor();
    await expect.poll(() => rowIds(page)).toEqual([first.id]);
    await shoot(page, 'jobs-id-prefix');
    await page.getByText('Counts are of every job you can see').waitFor();
    // The short id the table shows is the end of the id: searching it as a start says so.
    await search.fill(first.id.slice(-8));
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText(`No job id starts with ${first.id.slice(-8)}.`).waitFor();
    await shoot(page, 'jobs-id-prefix-none');
    await page.getByRole('link', { name: 'Clear' }).click();
    await expect.poll(() => rowIds(page)).toHaveLength(3);
    await search.fill('not an id!');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('alert').filter({ hasText: 'hexadecimal digits' }).waitFor();
    // A whole id opens the job.
    await search.fill(second.id);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(new RegExp(`#/jobs/${second.id}$`));
    await page.getByRole('heading', { name: 'Video' }).waitFor();

    // The counts follow what the page itself does.
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await heading(page, 'Jobs').waitFor();
    for (const job of [first, second]) await page.getByLabel(`Select job ${job.id.slice(-8)}`).check();
    await page.getByRole('button', { name: 'Cancel selected' }).click();
    await chips.getByRole('link', { name: 'cancelled 3', exact: true }).waitFor();
    await chips.getByRole('link', { name: 'pending 0', exact: true }).waitFor();
  });

  it('shows a failed job of another kind: no video panel, each attempt with its worker and error, the payload folded', async () => {
    const user = await dashboard.api.createUser({ wallet: 'wallet-attempts' });
    const job = await sleeper(user, {
      payload: { ms: 1, note: LONG_NOTE },
      maxRetries: 1,
      priority: 'urgent',
    });
    await failAttempt(job, 'worker-alpha', 'FIRST_FAILURE', 'the first try broke', true);
    const failed = await failAttempt(job, 'worker-beta', 'SECOND_FAILURE', 'the second try broke too', false);
    expect(failed).toMatchObject({ status: 'failed', attempt: 2, retryCount: 1, maxRetries: 1 });

    const page = await openPage(user.key, `#/jobs/${job.id}`);
    await page.getByTestId('job-status').filter({ hasText: 'failed' }).waitFor();
    const attempts = page.getByRole('list', { name: 'Attempts' });
    const attempt = (n: number) => attempts.locator(`li[data-attempt="${n}"]`);
    await attempt(2).getByText('SECOND_FAILURE').waitFor();
    for (const [n, worker, code, message, outcome] of [
      [1, 'worker-alpha', 'FIRST_FAILURE', 'the first try broke', 'failed, retried'],
      [2, 'worker-beta', 'SECOND_FAILURE', 'the second try broke too', 'failed'],
    ] as const) {
      await attempt(n).getByText(worker, { exact: true }).waitFor();
      await attempt(n).getByText(code, { exact: true }).waitFor();
      await attempt(n).getByText(message, { exact: true }).waitFor();
      await attempt(n).getByText(outcome, { exact: true }).waitFor();
    }
    expect(await attempts.locator('li').count()).toBe(2);

    // Not a render: no video panel, no "Rendering…".
    expect(await page.getByRole('heading', { name: 'Video' }).count()).toBe(0);
    expect(await page.getByText(/Rendering/).count()).toBe(0);
    await page.locator('.facts dd').filter({ hasText: '2 (retries used 1 of 1)' }).waitFor();

    // The payload as JSON, the long note folded until asked.
    const payload = page.getByRole('group', { name: 'Payload' });
    await payload.getByText('"ms"').waitFor();
    await payload.getByText('"note"').waitFor();
    expect(await payload.getByText(JSON.stringify(LONG_NOTE)).count()).toBe(0);
    const more = payload.getByRole('button', { name: `show all ${LONG_NOTE.length} characters` });
    await more.waitFor();
    await shoot(page, 'job-sleep-failed-attempts');
    await more.click();
    await payload.getByText(JSON.stringify(LONG_NOTE)).waitFor();
    await page.getByText('No result.').waitFor();

    // Past its retries: an in-page choice, not a confirm box (openPage fails on any dialog).
    await page.getByRole('button', { name: 'Retry job' }).click();
    const choice = page.getByRole('group', { name: 'This job used all its retries' });
    await choice.waitFor();
    await choice
      .getByText(
        'It may be retried 1 time (max_retries 1) and has been retried 1 time; it ran 2 times in all.',
        {
          exact: false,
        },
      )
      .waitFor();
    await shoot(page, 'job-retry-anyway');
    await choice.getByRole('button', { name: 'Keep it as it is' }).click();
    await choice.waitFor({ state: 'detached' });
    expect((await dashboard.api.app.jobs.get(job.id, ALL_JOBS))?.status).toBe('failed');

    await page.getByRole('button', { name: 'Retry job' }).click();
    await choice.getByRole('button', { name: 'Retry anyway' }).click();
    await page.getByTestId('job-status').filter({ hasText: 'pending' }).waitFor();
    await page
      .locator('.facts dd')
      .filter({ hasText: '2 (its one retry used, then 1 retry forced past the limit)' })
      .waitFor();
    expect(await page.locator('.facts dd').filter({ hasText: 'retries used 2 of 1' }).count()).toBe(0);
    await shoot(page, 'job-forced-retry');
    await dashboard.api.call(user, 'POST', `/api/presentations/jobs/${job.id}/cancel`, {});
  });

  it('fits the new job list and job page on a phone', async () => {
    const user = await dashboard.api.createUser({ wallet: 'wallet-phone' });
    const job = await sleeper(user, {
      payload: { ms: 1, note: LONG_NOTE },
      maxRetries: 0,
      priority: 'urgent',
    });
    await failAttempt(
      job,
      'worker-gamma-with-a-long-name-0123456789',
      'PHONE_FAILURE',
      'broke on a phone',
      false,
    );
    const page = await openPage(user.key, '#/jobs', { viewport: PHONE });
    await heading(page, 'Jobs').waitFor();
    await page.getByRole('navigation', { name: 'Status' }).getByRole('link', { name: 'failed 1' }).waitFor();
    const overflow = () => dashboard.sidewaysOverflow(page);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shoot(page, 'phone-jobs-chips');
    await page.goto(`${dashboard.api.baseUrl}/#/jobs/${job.id}`);
    await page.getByRole('list', { name: 'Attempts' }).getByText('PHONE_FAILURE').waitFor();
    await page
      .getByRole('group', { name: 'Payload' })
      .getByRole('button', { name: /^show all/ })
      .click();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shoot(page, 'phone-job-attempts');
  });
});
