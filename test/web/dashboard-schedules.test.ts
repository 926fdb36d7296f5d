/**
 * The dashboard's Schedules page in Chromium (test/support/chromium.ts) driven by playwright-core,
 * against a real service with no worker (so no scheduler moves the ticks): two schedules made through
 * the API are listed with their cron, time zone, kind, priority and next tick; one is disabled by a
 * click, which the API then reports. A user's menu has no Schedules entry.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Static } from '@sinclair/typebox';
import type { ScheduleSchema } from '../../src/api/schemas/schedules.js';
import { type TestUser } from '../support/api-server.js';
import { useDashboardHarness } from '../support/dashboard-browser.js';

const LAPTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

type ScheduleWire = Static<typeof ScheduleSchema>;

describe('dashboard schedules page in a real browser', () => {
  const dashboard = useDashboardHarness({
    context: { viewport: LAPTOP, timezoneId: 'UTC', locale: 'en-GB' },
  });
  const { openPage, heading, shoot } = dashboard;
  let alice: TestUser;

  beforeAll(async () => {
    const { api } = dashboard;
    alice = await api.createUser({ wallet: 'wallet-alice-schedules' });
    for (const body of [
      { name: 'nightly-report', cron: '30 2 * * *', time_zone: 'Europe/Paris', kind: 'noop' },
      { name: 'every-10s', cron: '*/10 * * * * *', kind: 'noop', priority: 'high' },
    ]) {
      const response = await api.call(api.admin, 'POST', '/api/schedules', body);
      expect(response.status, await response.text()).toBe(201);
    }
  });

  async function schedule(name: string): Promise<ScheduleWire> {
    const response = await dashboard.api.call(dashboard.api.admin, 'GET', `/api/schedules/${name}`);
    expect(response.status).toBe(200);
    return (await response.json()) as ScheduleWire;
  }

  it('lists the schedules with their next tick, and disables one with a click', async () => {
    const page = await openPage(dashboard.api.admin.key, '#/jobs');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedules' }).click();
    await heading(page, 'Schedules').waitFor();
    const table = page.getByRole('table', { name: 'Schedules' });
    const nightly = table.getByRole('row').filter({ hasText: 'nightly-report' });
    const often = table.getByRole('row').filter({ hasText: 'every-10s' });
    await nightly.waitFor();
    expect(await table.getByRole('row').count()).toBe(3); // the header and the two schedules

    const cells = async (row: typeof nightly) =>
      (await row.getByRole('cell').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
    const [name, cron, zone, kind, priority, enabled, nextRun, lastRun] = await cells(nightly);
    expect([name, cron, zone, kind, priority, enabled, lastRun]).toEqual([
      'nightly-report',
      '30 2 * * *',
      'Europe/Paris',
      'noop',
      'normal',
      'enabled',
      'never',
    ]);
    // The next 02:30 in Paris: relative ("in 9 h 5 min") and absolute, in the browser's UTC.
    const next = new Date((await schedule('nightly-report')).next_run_at ?? '');
    expect(nextRun).toMatch(/^in \d/);
    expect(nextRun).toContain(next.toISOString().slice(11, 16)); // HH:MM of the UTC time shown
    expect(await nightly.locator('time').getAttribute('datetime')).toBe(next.toISOString());
    const oftenCells = await cells(often);
    expect(oftenCells.slice(0, 6)).toEqual(['every-10s', '*/10 * * * * *', 'UTC', 'noop', 'high', 'enabled']);
    await shoot(page, 'schedules-admin');

    await often.getByRole('button', { name: 'Disable schedule every-10s' }).click();
    await page.getByRole('status').filter({ hasText: 'Schedule every-10s is disabled.' }).waitFor();
    await often.getByRole('button', { name: 'Enable schedule every-10s' }).waitFor();
    const after = await cells(often);
    expect(after[5]).toBe('disabled');
    expect(after[6]).toBe('none while disabled');
    const stored = await schedule('every-10s');
    expect(stored.enabled).toBe(false);
    expect(stored.next_run_at).toBeNull();
    expect((await schedule('nightly-report')).enabled).toBe(true);
    await shoot(page, 'schedules-admin-disabled');

    await often.getByRole('button', { name: 'Enable schedule every-10s' }).click();
    await often.getByRole('button', { name: 'Disable schedule every-10s' }).waitFor();
    expect((await schedule('every-10s')).enabled).toBe(true);
  });

  it("fits a phone's screen: the table scrolls inside its frame, the page does not", async () => {
    const page = await openPage(dashboard.api.admin.key, '#/schedules', { viewport: PHONE });
    await page
      .getByRole('table', { name: 'Schedules' })
      .getByRole('row')
      .filter({ hasText: 'nightly-report' })
      .waitFor();
    const overflow = await dashboard.sidewaysOverflow(page);
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(page, 'phone-schedules');
  });

  it("has no Schedules entry in a user's menu, and the page is not found for them", async () => {
    const page = await openPage(alice.key, '#/schedules');
    await heading(page, 'Page not found').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Jobs' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Schedules' }).count()).toBe(0);
  });
});
