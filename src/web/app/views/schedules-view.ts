/**
 * Schedules of recurring jobs (`#/schedules`, admin only like their routes): each with its cron
 * expression, time zone, kind, priority, whether it is enabled, its next tick (relative and absolute)
 * and its latest one, and a button that disables or enables it.
 */
import type { ScheduleList, ScheduleWire } from '../api/ops-types.js';
import { h, replaceChildren } from '../dom.js';
import { dateTime, relative } from '../format.js';
import type { View, ViewContext } from './view.js';
import { card, pageHeading, runAction } from './widgets.js';

/** "in 3 min" above "7 Dec 2026, 17:03:00", or a dash with why there is no time. */
function when(iso: string | null, none: string): HTMLElement {
  if (!iso) return h('td', { class: 'muted' }, none);
  return h(
    'td',
    null,
    h(
      'time',
      { datetime: iso, title: iso },
      h('div', null, relative(iso)),
      h('div', { class: 'muted' }, dateTime(iso)),
    ),
  );
}

function toggleCell(ctx: ViewContext, schedule: ScheduleWire, onChanged: () => Promise<void>): HTMLElement {
  const next = !schedule.enabled;
  const label = next ? 'Enable' : 'Disable';
  const button = h(
    'button',
    {
      type: 'button',
      class: `button ${next ? 'primary' : 'plain'}`,
      'aria-label': `${label} schedule ${schedule.name}`,
    },
    label,
  );
  const cell = h('td', { class: 'schedule-actions' }, button);
  button.addEventListener(
    'click',
    () =>
      void runAction(button, async () => {
        await ctx.client.patch<ScheduleWire>(`/api/schedules/${encodeURIComponent(schedule.name)}`, {
          enabled: next,
        });
        ctx.announce(`Schedule ${schedule.name} is ${next ? 'enabled' : 'disabled'}.`);
        await onChanged();
      }),
  );
  return cell;
}

function scheduleTable(
  ctx: ViewContext,
  schedules: ScheduleWire[],
  reload: () => Promise<void>,
): HTMLElement {
  if (schedules.length === 0)
    return h(
      'p',
      { class: 'muted' },
      'No schedules. Add one with ',
      h('code', null, 'reelqueue schedules add'),
      ' or POST /api/schedules (docs/schedules.md).',
    );
  const columns = [
    'Name',
    'Cron',
    'Time zone',
    'Kind',
    'Priority',
    'Enabled',
    'Next run',
    'Last run',
    'Change',
  ];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'simple schedules' },
      h('caption', { class: 'visually-hidden' }, 'Schedules'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          columns.map((name) => h('th', { scope: 'col' }, name)),
        ),
      ),
      h(
        'tbody',
        null,
        schedules.map((schedule) =>
          h(
            'tr',
            { 'data-schedule': schedule.name, class: schedule.enabled ? null : 'disabled' },
            h('td', { class: 'schedule-name' }, h('code', null, schedule.name)),
            h('td', { class: 'schedule-cron' }, h('code', null, schedule.cron)),
            h('td', null, schedule.time_zone),
            h('td', null, schedule.kind),
            h('td', null, schedule.priority),
            h(
              'td',
              null,
              h(
                'span',
                { class: `status ${schedule.enabled ? 'status-completed' : 'status-cancelled'}` },
                schedule.enabled ? 'enabled' : 'disabled',
              ),
            ),
            when(schedule.next_run_at, schedule.enabled ? '—' : 'none while disabled'),
            when(schedule.last_run_at, 'never'),
            toggleCell(ctx, schedule, reload),
          ),
        ),
      ),
    ),
  );
}

export const schedulesView: View = async (ctx) => {
  const body = h('div');
  const load = async () => {
    const list = await ctx.client.get<ScheduleList>('/api/schedules', ctx.signal);
    replaceChildren(body, scheduleTable(ctx, list.schedules, load));
  };
  await load();
  return h(
    'section',
    { class: 'schedules-view' },
    pageHeading('Schedules'),
    card(
      'Recurring jobs',
      h(
        'p',
        { class: 'muted' },
        'Each tick queues one job of the kind, whatever the number of schedulers. A schedule enabled again starts from now: it does not catch up the time it was off.',
      ),
      body,
    ),
  );
};
