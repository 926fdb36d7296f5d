/**
 * The dashboard's operator pages in Chromium (test/support/chromium.ts) driven by playwright-core,
 * against a real service with no worker: "Over time" (jobs per minute and hour, queue depth,
 * processing-time percentiles) and "Keys" (an admin's list of every key, a user's own, revoking by
 * click, the key in use included). Jobs are made through the store and their times set in SQL.
 */
import { type Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, type TestUser } from '../support/api-server.js';
import { useDashboardHarness } from '../support/dashboard-browser.js';
import { setProcessingTimeSeconds } from '../support/conformance.js';
import { JobFactory } from '../support/job-factory.js';

const LAPTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const MINUTE = 60_000;

/** A key's public part: `rq_<prefix>_<secret>`. */
const prefixOf = (key: string) => key.split('_')[1] ?? key;

/** Moves a job's times `minutesAgo` back from the database clock, keeping their order. */
async function backdate(api: ApiHarness, jobId: string, minutesAgo: number): Promise<void> {
  await api.t.sql(
    {
      sqlite: `UPDATE jobs SET created_at = created_at - ?, started_at = started_at - ?,
        completed_at = completed_at - ? WHERE id = ?`,
      postgres: `UPDATE jobs SET created_at = created_at - ? * interval '1 millisecond',
        started_at = started_at - ? * interval '1 millisecond',
        completed_at = completed_at - ? * interval '1 millisecond' WHERE id = ?`,
    },
    [minutesAgo * MINUTE, minutesAgo * MINUTE, minutesAgo * MINUTE, jobId],
  );
}

describe('dashboard operator pages in a real browser', () => {
  const dashboard = useDashboardHarness({ context: { viewport: LAPTOP } });
  const { openPage, heading, shoot } = dashboard;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    const { api } = dashboard;
    alice = await api.createUser({ wallet: 'wallet-alice-ops', points: 50 });
    bob = await api.createUser({ wallet: 'wallet-bob-ops' });
    // Alice's last hour: a few jobs a minute apart, most completed (1–40 s), two failed, three waiting.
    const jobs = new JobFactory(api.app.jobs, api.app.config);
    for (let i = 0; i < 14; i++) {
      const job = await jobs.completed({ userId: alice.id });
      await setProcessingTimeSeconds(api.t, job.id, 1 + ((i * 7) % 40));
      await backdate(api, job.id, 50 - i * 3);
    }
    for (const minutes of [33, 12]) {
      const job = await jobs.failed({ userId: alice.id });
      await backdate(api, job.id, minutes);
    }
    for (const minutes of [20, 9, 2]) {
      const job = await jobs.pending({ userId: alice.id });
      await backdate(api, job.id, minutes);
    }
  });

  /** The figure whose caption is `caption`: its big number. */
  const figureValue = (page: Page, caption: string) =>
    page.locator('.figure', { has: page.getByText(caption, { exact: true }) }).locator('.figure-value');

  it('charts jobs per minute, queue depth and processing-time percentiles over the last hour', async () => {
    const page = await openPage(alice.key, '#/activity');
    await heading(page, 'Over time').waitFor();
    expect(await figureValue(page, 'jobs created').textContent()).toBe('19');
    expect(await figureValue(page, 'completed').textContent()).toBe('14');
    expect(await figureValue(page, 'failed or timed out').textContent()).toBe('2');
    expect(await figureValue(page, 'waiting now').textContent()).toBe('3');
    await page
      .getByRole('img', { name: /^Jobs created, completed and failed per minute\. created: latest/ })
      .waitFor();
    await page
      .getByRole('img', { name: /^Jobs waiting at the end of each minute\. waiting: latest 3, highest 3/ })
      .waitFor();
    await page
      .getByRole('img', { name: /^Processing time of the jobs completed in each minute\. p50: latest/ })
      .waitFor();
    // Each line is drawn: a path with points, or a dot where a value stands alone.
    for (const series of ['created', 'completed', 'failed', 'waiting', 'p50', 'p95', 'p99']) {
      const line = page.locator(`g[data-series="${series}"]`);
      const drawn = (await line.locator('path').getAttribute('d')) ?? '';
      expect(drawn.length + (await line.locator('circle').count()), series).toBeGreaterThan(0);
    }
    await shoot(page, 'over-time-minutes');

    await page.getByRole('combobox', { name: /^Period/ }).selectOption('24');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('img', { name: /^Jobs created, completed and failed per hour\./ }).waitFor();
    expect(page.url()).toContain('#/activity?hours=24');
    expect(await figureValue(page, 'jobs created').textContent()).toBe('19');
    await shoot(page, 'over-time-hours');
  });

  it("shows a user only their own jobs over time, and fits a phone's screen", async () => {
    const page = await openPage(bob.key, '#/activity', { viewport: PHONE });
    await heading(page, 'Over time').waitFor();
    expect(await figureValue(page, 'jobs created').textContent()).toBe('0');
    expect(await figureValue(page, 'waiting now').textContent()).toBe('0');
    const overflow = await dashboard.sidewaysOverflow(page);
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(page, 'phone-over-time');
  });

  it("lists every user's keys for an admin and revokes one with a click, asked once in the page", async () => {
    const spare = await json<{ prefix: string; key: string }>(
      await dashboard.api.call(dashboard.api.admin, 'POST', `/api/admin/users/${bob.id}/keys`, {
        label: 'bob spare',
      }),
    );
    const page = await openPage(dashboard.api.admin.key, '#/keys');
    await heading(page, 'API keys').waitFor();
    const table = page.getByRole('table', { name: 'API keys' });
    for (const user of [alice, bob])
      await table
        .getByRole('row')
        .filter({ hasText: prefixOf(user.key) })
        .waitFor();
    // The configured admin key's prefix is derived from its hash (`cfg_…`): found as this browser's.
    const adminRow = table.getByRole('row').filter({ hasText: 'this browser' });
    await adminRow.getByRole('cell', { name: /^admin / }).waitFor();
    const spareRow = table.getByRole('row').filter({ hasText: spare.prefix });
    await spareRow.getByText('bob spare').waitFor();
    await spareRow.getByText('wallet-bob-ops').waitFor();
    await shoot(page, 'keys-admin');

    await spareRow.getByRole('button', { name: `Revoke key ${spare.prefix}` }).click();
    await spareRow.getByText(/Anything using it is refused from now on/).waitFor();
    await shoot(page, 'keys-admin-confirm');
    await spareRow.getByRole('button', { name: 'Yes, revoke' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Key ${spare.prefix} is revoked.` })
      .waitFor();
    await table.getByRole('row').filter({ hasText: spare.prefix }).waitFor({ state: 'detached' });
    expect((await dashboard.api.call({ ...bob, key: spare.key }, 'GET', '/api/users/me')).status).toBe(401);
    expect((await dashboard.api.call(bob, 'GET', '/api/users/me')).status).toBe(200);

    await page.getByRole('link', { name: 'Show revoked keys' }).click();
    await table.getByRole('row').filter({ hasText: spare.prefix }).getByText('revoked').waitFor();
  });

  it('shows a user only their own keys; they revoke a spare one, then the one in use, which signs them out', async () => {
    const spare = await json<{ prefix: string; key: string }>(
      await dashboard.api.call(dashboard.api.admin, 'POST', `/api/admin/users/${alice.id}/keys`, {
        label: 'alice spare',
      }),
    );
    const page = await openPage(alice.key, '#/keys');
    await heading(page, 'API keys').waitFor();
    const table = page.getByRole('table', { name: 'API keys' });
    await table.getByRole('row').filter({ hasText: 'alice spare' }).waitFor();
    expect(await table.getByRole('row').count()).toBe(3); // the header and Alice's two keys
    expect(await table.getByRole('columnheader', { name: 'Owner' }).count()).toBe(0);
    expect(await page.getByText(prefixOf(bob.key)).count()).toBe(0);
    await shoot(page, 'keys-user');

    const spareRow = table.getByRole('row').filter({ hasText: spare.prefix });
    await spareRow.getByRole('button', { name: `Revoke key ${spare.prefix}` }).click();
    await spareRow.getByRole('button', { name: 'Yes, revoke' }).click();
    await spareRow.waitFor({ state: 'detached' });
    expect((await dashboard.api.call({ ...alice, key: spare.key }, 'GET', '/api/users/me')).status).toBe(401);

    const own = prefixOf(alice.key);
    const ownRow = table.getByRole('row').filter({ hasText: own });
    await ownRow.getByRole('button', { name: `Revoke key ${own}` }).click();
    await ownRow.getByText(/It is the key you are signed in with: you will be signed out/).waitFor();
    await ownRow.getByRole('button', { name: 'Yes, revoke' }).click();
    await heading(page, 'Sign in to reelqueue').waitFor();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    expect((await dashboard.api.call(alice, 'GET', '/api/users/me')).status).toBe(401);
  });
});

async function json<T>(response: Response): Promise<T> {
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return (await response.json()) as T;
}
