/**
 * The jobs table's status filter: one link per status with how many of the caller's jobs have it
 * (from the queue health route: one count per status, cheap), the chosen one marked current.
 */
import { JOB_STATUSES } from '../../../jobs/model.js';
import type { QueueHealth } from '../api/types.js';
import { h } from '../dom.js';

type Counts = Pick<QueueHealth, 'total' | (typeof JOB_STATUSES)[number]>;

/** `href(status)` is the table filtered to a status ('' for every status). */
/** `filtered`: other filters narrow the table, which the counts do not follow (they say so). */
export function statusChips(
  counts: Counts,
  current: string,
  href: (status: string) => string,
  filtered = false,
): HTMLElement {
  const chip = (status: string, label: string, count: number) =>
    h(
      'li',
      null,
      h(
        'a',
        {
          class: `chip${status ? ` chip-${status}` : ''}`,
          href: href(status),
          'aria-current': status === current ? 'true' : false,
        },
        h('span', { class: 'chip-label' }, label),
        ' ',
        h('span', { class: 'chip-count', 'data-status': status || 'total' }, String(count)),
      ),
    );
  return h(
    'nav',
    { class: 'status-chips', 'aria-label': 'Status' },
    h(
      'ul',
      null,
      chip('', 'all', counts.total),
      JOB_STATUSES.map((status) => chip(status, status, counts[status])),
    ),
    filtered
      ? h(
          'p',
          { class: 'chips-note' },
          'Counts are of every job you can see, whatever the kind, priority or id.',
        )
      : null,
  );
}

export function updateStatusChips(chips: HTMLElement, counts: Counts): void {
  for (const count of chips.querySelectorAll<HTMLElement>('.chip-count')) {
    const status = count.dataset.status as keyof Counts | undefined;
    if (status && status in counts) count.textContent = String(counts[status]);
  }
}
