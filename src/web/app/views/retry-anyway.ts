/**
 * The in-page choice shown when a retry is refused because the job used all its retries: what that
 * means, and two buttons, retry anyway (the API's `force_retry`) or leave the job as it is.
 */
import type { JobWire } from '../api/types.js';
import { h } from '../dom.js';
import { actionButton } from './widgets.js';

export interface RetryAnywayChoice {
  /** Queues the job again past its limit; an error shows beside the button. */
  retry: () => Promise<void>;
  /** Closes the panel, leaving the job as it is. */
  keep: () => void;
}

const runs = (count: number) => `${count} time${count === 1 ? '' : 's'}`;

export function retryAnywayPanel(job: JobWire, choice: RetryAnywayChoice): HTMLElement {
  const allowed =
    job.max_retries === 0
      ? 'It was queued with no retries allowed (max_retries 0)'
      : `It may be retried ${runs(job.max_retries)} (max_retries ${job.max_retries}) and has been retried ${runs(job.retry_count)}`;
  const keep = h('button', { type: 'button', class: 'button' }, 'Keep it as it is');
  keep.addEventListener('click', () => choice.keep());
  const panel = h(
    'section',
    { class: 'retry-anyway', role: 'group', 'aria-labelledby': 'retry-anyway-title' },
    h('h2', { id: 'retry-anyway-title' }, 'This job used all its retries'),
    h(
      'p',
      null,
      `${allowed}; it ran ${runs(job.attempt)} in all. Retry anyway? It is queued once more, its limit stays ` +
        'as it is, and it costs points like a new job.',
    ),
    h('div', { class: 'actions' }, actionButton('Retry anyway', choice.retry, 'primary'), keep),
  );
  return panel;
}
