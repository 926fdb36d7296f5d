/**
 * The dashboard end to end, in Chromium (found by test/support/chromium.ts) driven by playwright-core,
 * against a real service:
 * one with a worker rendering real videos, one with no worker so jobs stay pending.
 */
import path from 'node:path';
import { type Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobWire } from '../../src/api/schemas/job-wire.js';
import { TINY_LESSON, type ApiHarness, type TestUser } from '../support/api-server.js';
import { useDashboardHarness } from '../support/dashboard-browser.js';

const EXAMPLE_LESSON = path.resolve('examples/photosynthesis.md');
const LAPTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const RENDER_TIMEOUT_MS = 90_000;

interface MediaState {
  duration: number;
  readyState: number;
  currentTime: number;
  seeking: boolean;
}

describe('dashboard in a real browser', () => {
  const dashboard = useDashboardHarness({
    workers: 1,
    context: { viewport: LAPTOP, acceptDownloads: true },
  });
  const { openPage, heading, shoot } = dashboard;
  let api: ApiHarness;
  /** No worker: its jobs stay pending until cancelled. */
  let idle: ApiHarness;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    api = dashboard.api;
    idle = await dashboard.startAnotherApi({}, { workers: 0 });
    alice = await api.createUser({ wallet: 'wallet-alice', points: 50 });
    bob = await api.createUser({ wallet: 'wallet-bob' });
  });

  /** The <video>'s state, after an optional action on it (the page's CSP forbids string scripts). */
  function media(page: Page, action: 'play' | 'seek-to-middle' | null = null): Promise<MediaState> {
    return page.locator('video').evaluate(async (element, act) => {
      const v = element as unknown as MediaState & { muted: boolean; play(): Promise<void>; pause(): void };
      if (act === 'play') {
        v.muted = true;
        await v.play();
      } else if (act === 'seek-to-middle') {
        v.pause();
        v.currentTime = v.duration / 2;
      }
      return {
        duration: v.duration,
        readyState: v.readyState,
        currentTime: v.currentTime,
        seeking: v.seeking,
      };
    }, action);
  }

  async function queue(harness: ApiHarness, user: TestUser, body: object = TINY_LESSON): Promise<JobWire> {
    const response = await harness.call(user, 'POST', '/api/presentations/generate', body);
    expect(response.status).toBe(202);
    return (await response.json()) as JobWire;
  }

  async function jobOf(harness: ApiHarness, user: TestUser, id: string): Promise<JobWire> {
    return (await (await harness.call(user, 'GET', `/api/presentations/jobs/${id}`)).json()) as JobWire;
  }

  it('serves the page and its hashed assets with content types and caching', async () => {
    const index = await fetch(`${api.baseUrl}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await index.text();
    const script = /src="(\/assets\/app-[\w]+\.js)"/.exec(html)?.[1];
    const styles = /href="(\/assets\/styles-[\w]+\.css)"/.exec(html)?.[1];
    expect(script && styles).toBeTruthy();

    const js = await fetch(`${api.baseUrl}${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await js.text()).length).toBeGreaterThan(1000);
    const css = await fetch(`${api.baseUrl}${styles}`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('progress');
    const again = await fetch(`${api.baseUrl}/`, {
      headers: { 'if-none-match': index.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
    await again.arrayBuffer();
    const missing = await fetch(`${api.baseUrl}/assets/nothing.js`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
  });

  it('turns away an unknown key, then signs in with a good one and keeps it', async () => {
    const page = await openPage(null);
    await heading(page, 'Sign in to reelqueue').waitFor();
    await shoot(page, 'login');

    await page.getByLabel('API key').fill('rq_not_a_real_key_0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await shoot(page, 'login-rejected');

    // By keyboard: the key field is a real form, so Enter submits it.
    await page.getByLabel('API key').fill(alice.key);
    await page.getByLabel('API key').press('Enter');
    await heading(page, 'Jobs').waitFor();
    await page.getByText(`User ${alice.id.slice(-8)} · 50 points`).waitFor();

    await page.reload();
    await heading(page, 'Jobs').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in to reelqueue').waitFor();
  });

  it('submits the example lesson, watches the progress bar reach 100 %, and plays the video', async () => {
    const page = await openPage(alice.key, '#/new');
    await heading(page, 'New job').waitFor();
    await page.getByLabel('Choose a lesson file').setInputFiles(EXAMPLE_LESSON);
    await page.getByText('Loaded photosynthesis.md (Markdown lesson).').waitFor();
    await page.getByLabel('Resolution').selectOption('320x180');
    await page.getByLabel('Priority').selectOption('high');
    await shoot(page, 'new-job');
    await page.getByRole('button', { name: 'Queue the video' }).click();

    await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/);
    const id = decodeURIComponent(page.url().split('#/jobs/')[1] ?? '');
    const progress = page.getByRole('progressbar', { name: 'Job progress' });
    await progress.waitFor();
    await page
      .locator('progress[aria-label="Job progress"][value="100"]')
      .waitFor({ timeout: RENDER_TIMEOUT_MS });
    expect(await progress.getAttribute('value')).toBe('100');
    await page
      .getByTestId('job-status')
      .filter({ hasText: 'completed' })
      .waitFor({ timeout: RENDER_TIMEOUT_MS });

    const job = await jobOf(api, alice, id);
    expect(job).toMatchObject({ status: 'completed', priority: 'high' });
    expect(job.duration_sec).toBeGreaterThan(1);

    // The player: loaded from a blob URL (the API wants the Authorization header), playable, seekable.
    const video = page.locator('video');
    await video.waitFor();
    expect(await video.getAttribute('src')).toMatch(/^blob:/);
    await expect
      .poll(async () => (await media(page)).readyState, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2);
    const loaded = await media(page);
    expect(Math.abs(loaded.duration - (job.duration_sec ?? 0))).toBeLessThanOrEqual(0.5);
    await media(page, 'play');
    await expect.poll(async () => (await media(page)).currentTime, { timeout: 30_000 }).toBeGreaterThan(0.2);
    await media(page, 'seek-to-middle');
    const seekedToMiddle = async () => {
      const state = await media(page);
      return (
        !state.seeking && state.readyState >= 2 && Math.abs(state.currentTime - state.duration / 2) < 0.5
      );
    };
    await expect.poll(seekedToMiddle, { timeout: 30_000 }).toBe(true);

    // The captions: a <track> fetched from the API (a blob URL), shown by default, its cues read by
    // the browser's own WebVTT parser.
    expect(await page.locator('video track[kind="captions"]').getAttribute('src')).toMatch(/^blob:/);
    const captionsState = () =>
      page.locator('video').evaluate((element) => {
        const tracks = (
          element as unknown as { textTracks: ArrayLike<{ mode: string; cues: { length: number } | null }> }
        ).textTracks;
        const track = tracks[0];
        return track ? `${track.mode}: ${track.cues?.length ?? 0} cues` : 'no track';
      });
    await expect.poll(captionsState, { timeout: 30_000 }).toMatch(/^showing: [1-9]\d* cues$/);

    // Timeline, thumbnail and download.
    await page.getByRole('list', { name: 'Job events' }).getByText('completed', { exact: true }).waitFor();
    await page.getByRole('img', { name: 'Thumbnail of the video' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download MP4' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`reelqueue-${id}.mp4`);
    await shoot(page, 'job-completed');

    // The jobs table shows it finished, and the status filter keeps it.
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const row = page.locator(`tr[data-job-id="${id}"]`);
    await row.getByTestId('job-status').filter({ hasText: 'completed' }).waitFor();
    const chips = page.getByRole('navigation', { name: 'Status' });
    await chips.getByRole('link', { name: /^completed \d+$/ }).click();
    // The filtered view, not the one it replaces (the same row shows in both).
    await page.locator('main[data-route*="status=completed"]').waitFor();
    await row.waitFor();
    await chips.getByRole('link', { name: 'failed 0' }).click();
    await page.getByText('No jobs here yet.').waitFor();
    expect(await page.getByRole('link', { name: 'Next page' }).isVisible()).toBe(false);
  });

  it('cancels a queued job from its page, and several from the table', async () => {
    const carol = await idle.createUser({ wallet: 'wallet-carol' });
    const single = await queue(idle, carol);
    const page = await openPage(carol.key, `#/jobs/${single.id}`, { on: idle });
    await page.getByTestId('job-status').filter({ hasText: 'pending' }).waitFor();
    await shoot(page, 'job-pending');
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.getByTestId('job-status').filter({ hasText: 'cancelled' }).waitFor();
    await page.getByRole('button', { name: 'Retry job' }).waitFor();
    await page.getByRole('list', { name: 'Job events' }).getByText('cancelled', { exact: true }).waitFor();
    expect((await jobOf(idle, carol, single.id)).status).toBe('cancelled');
    await shoot(page, 'job-cancelled');

    const [first, second, third] = [
      await queue(idle, carol),
      await queue(idle, carol),
      await queue(idle, carol),
    ];
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await heading(page, 'Jobs').waitFor();
    await page.getByLabel(`Select job ${first!.id.slice(-8)}`).check();
    await page.getByLabel(`Select job ${second!.id.slice(-8)}`).check();
    await page.getByText('2 selected').waitFor();
    await shoot(page, 'jobs-selected');
    await page.getByRole('button', { name: 'Cancel selected' }).click();
    await page.getByRole('status').filter({ hasText: '2 cancelled.' }).waitFor();
    for (const job of [first!, second!]) {
      await page
        .locator(`tr[data-job-id="${job.id}"]`)
        .getByTestId('job-status')
        .filter({ hasText: 'cancelled' })
        .waitFor();
    }
    expect((await jobOf(idle, carol, third!.id)).status).toBe('pending');
    await page
      .locator(`tr[data-job-id="${third!.id}"]`)
      .getByTestId('job-status')
      .filter({ hasText: 'pending' })
      .waitFor();
  });

  it('retries several jobs from the table in one bulk-retry request, and says which were refused', async () => {
    const dave = await idle.createUser({ wallet: 'wallet-dave' });
    const [again, spent, waiting] = [
      await queue(idle, dave),
      await queue(idle, dave, { ...TINY_LESSON, max_retries: 0 }),
      await queue(idle, dave),
    ];
    const cancel = await idle.call(dave, 'POST', '/api/presentations/jobs/bulk-cancel', {
      job_ids: [again!.id, spent!.id],
    });
    expect(cancel.status).toBe(200);
    const page = await openPage(dave.key, '#/jobs', { on: idle });
    const retries: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('retry')) retries.push(request.url());
    });
    for (const job of [again!, spent!, waiting!]) {
      await page.getByLabel(`Select job ${job.id.slice(-8)}`).check();
    }
    await page.getByText('3 selected').waitFor();
    await page.getByRole('button', { name: 'Retry selected' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: '1 queued again, 1 refused (' })
      .filter({ hasText: '1 not failed, cancelled or timed out.' })
      .waitFor();
    expect(retries).toEqual([`${idle.baseUrl}/api/presentations/jobs/bulk-retry`]);
    expect((await jobOf(idle, dave, again!.id)).status).toBe('pending');
    expect((await jobOf(idle, dave, spent!.id)).status).toBe('cancelled');
  });

  it('pages through the jobs with the cursor, and shows each owner to an admin', async () => {
    const owners = [
      await idle.createUser({ wallet: 'wallet-p1' }),
      await idle.createUser({ wallet: 'wallet-p2' }),
    ];
    for (const owner of owners) for (let i = 0; i < 14; i++) await queue(idle, owner);
    const page = await openPage(idle.admin.key, '#/jobs', { on: idle });
    await heading(page, 'Jobs').waitFor();
    const rowIds = () =>
      page
        .locator('tbody tr[data-job-id]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-job-id')));
    await expect.poll(rowIds).toHaveLength(25);
    const firstPage = await rowIds();
    await page.getByRole('columnheader', { name: 'Owner' }).waitFor();
    await page
      .getByRole('cell', { name: owners[1]!.id.slice(-8) })
      .first()
      .waitFor();

    await page.getByRole('link', { name: 'Next page' }).click();
    // The next page's view itself: while it loads there are no rows, which differ from the first page too.
    await page.locator('main[data-route*="cursor="]').waitFor();
    await expect.poll(async () => (await rowIds())[0]).not.toBe(firstPage[0]);
    const secondPage = await rowIds();
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    await shoot(page, 'jobs-admin-page-2');
    await page.getByRole('link', { name: 'First page' }).click();
    await expect.poll(rowIds).toEqual(firstPage);
  });

  it("shows not found when user B opens user A's job page", async () => {
    const aliceJob = await queue(idle, await idle.createUser({ wallet: 'wallet-a' }));
    const other = await idle.createUser({ wallet: 'wallet-b' });
    const page = await openPage(other.key, `#/jobs/${aliceJob.id}`, { on: idle });
    await heading(page, 'Job not found').waitFor();
    await expect(page.locator('video').count()).resolves.toBe(0);
    expect(await page.getByTestId('not-found').textContent()).not.toContain('pending');
    await shoot(page, 'job-not-found');
  });

  it('has no admin pages for a user key, and admin pages for an admin key', async () => {
    const page = await openPage(bob.key, '#/jobs');
    await heading(page, 'Jobs').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Health' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto(`${api.baseUrl}/#/admin`);
    await heading(page, 'Page not found').waitFor();
    expect(await page.getByRole('button', { name: 'Run recovery' }).count()).toBe(0);

    const admin = await openPage(api.admin.key, '#/admin');
    await heading(admin, 'Admin').waitFor();
    await admin.getByRole('cell', { name: bob.id.slice(-8), exact: true }).waitFor();
    await admin.getByRole('button', { name: 'Run recovery' }).click();
    await admin.getByText(/^Recovery \(stale after \d+ min\)/).waitFor();
    await admin.getByLabel('Wallet (optional)').fill('wallet-dave');
    await admin.getByLabel('Points', { exact: true }).fill('7');
    await admin.getByRole('button', { name: 'Create user' }).click();
    const newKey = admin.getByLabel('The new API key');
    await newKey.waitFor();
    const key = await newKey.inputValue();
    expect(key).toMatch(/^rq_/);
    await admin.getByRole('cell', { name: 'wallet-dave' }).waitFor();
    await shoot(admin, 'admin');

    // The key just created works, until an admin revokes it: then the app returns to the key form.
    const dave = await openPage(key, '#/jobs');
    await dave.getByText('· 7 points').waitFor();
    await admin.getByLabel('Key id or prefix').fill(key.slice(3, 15)); // rq_<prefix>_<secret>
    await admin.getByRole('button', { name: 'Revoke key' }).click();
    await admin.getByRole('status').filter({ hasText: 'is revoked' }).waitFor();
    await dave.getByRole('link', { name: 'Health' }).click();
    await heading(dave, 'Sign in to reelqueue').waitFor();
    await dave.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
  });

  it('signs out by itself when the key of a job page it follows live is revoked', async () => {
    const erin = await idle.createUser({ wallet: 'wallet-erin' });
    const job = await queue(idle, erin);
    const page = await openPage(erin.key, `#/jobs/${job.id}`, { on: idle });
    await page.getByTestId('job-status').filter({ hasText: 'pending' }).waitFor();
    await page.getByRole('list', { name: 'Job events' }).getByText('created', { exact: true }).waitFor();
    // No click after this: the open event stream is what hears of the revoke.
    const revoked = await idle.call(idle.admin, 'DELETE', `/api/admin/keys/${erin.key.slice(3, 15)}`);
    expect(revoked.status).toBe(200);
    await heading(page, 'Sign in to reelqueue').waitFor();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
  });

  it('shows queue health with counts by status, failure rate and processing times', async () => {
    const page = await openPage(api.admin.key, '#/health');
    await heading(page, 'Health').waitFor();
    await page.getByRole('img', { name: /^Jobs by status \(all time\): pending \d+/ }).waitFor();
    await page.getByText('failure rate (all time)').waitFor();
    await page.getByRole('img', { name: /^Processing time over \d+ finished runs/ }).waitFor();
    await shoot(page, 'health');
  });

  it('says so when the server cannot be reached, and recovers on retry', async () => {
    const page = await openPage(alice.key, '#/health');
    await heading(page, 'Health').waitFor();
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await heading(page, 'No connection').waitFor();
    await shoot(page, 'network-error');
    await page.unroute('**/api/**');
    await page.getByRole('button', { name: 'Try again' }).click();
    await heading(page, 'Jobs').waitFor();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const jobs = await (await api.call(alice, 'GET', '/api/presentations/jobs?status=completed')).json();
    const done = (jobs as { jobs: JobWire[] }).jobs[0];
    const page = await openPage(alice.key, '#/jobs', { viewport: PHONE });
    await heading(page, 'Jobs').waitFor();
    const overflow = () => dashboard.sidewaysOverflow(page);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shoot(page, 'phone-jobs');
    if (done) {
      await page.goto(`${api.baseUrl}/#/jobs/${done.id}`);
      await page.locator('video').waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shoot(page, 'phone-job');
    }
    await page.goto(`${api.baseUrl}/#/new`);
    await heading(page, 'New job').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shoot(page, 'phone-new-job');
  });
});
