/**
 * A pending job's priority changed from its page in Chromium (test/support/chromium.ts) driven by
 * playwright-core, against a real service with no worker: the job moves to the front of the queue,
 * which the API then reports; a running job's page offers no priority to change.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, getJob } from '../support/api-helpers.js';
import { startApi, TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';
import { launchChromium, openSignedInPage } from '../support/dashboard-browser.js';

const SCREENSHOTS = path.resolve('test-output/screenshots');

describe("a pending job's priority in a real browser", () => {
  let api: ApiHarness;
  let browser: Browser;
  let alice: TestUser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'pipe' });
    mkdirSync(SCREENSHOTS, { recursive: true });
    api = await startApi({ RATE_LIMIT_PER_MINUTE: 0 }, { workers: 0 });
    alice = await api.createUser({ wallet: 'wallet-alice-priority', points: 50 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await api?.close();
  });

  const openPage = (key: string, hash: string): Promise<Page> =>
    openSignedInPage(browser, contexts, `${api.baseUrl}/${hash}`, key, {
      viewport: { width: 1280, height: 900 },
    });

  it('moves a pending job to the front of the queue from its page', async () => {
    await createJob(api, alice, { ...TINY_LESSON, priority: 'normal' });
    await createJob(api, alice, { ...TINY_LESSON, priority: 'normal' });
    const job = await createJob(api, alice, { ...TINY_LESSON, priority: 'low' });
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
    expect(await getJob(api, alice, job.id)).toMatchObject({ priority: 'urgent', queue_position: 0 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'job-priority-changed.png'), fullPage: true });

    // Once a worker has it, the page offers no priority (the API would answer 409 JOB_NOT_PENDING).
    const [claimed] = await api.app.jobs.claim({
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
