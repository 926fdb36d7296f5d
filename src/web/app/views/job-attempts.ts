/**
 * A job's attempts, each with its worker, its times and how it ended (error code and message), read
 * from the job's event log as it streams in.
 */
import type { JobEventWire } from '../api/types.js';
import { h, replaceChildren } from '../dom.js';
import { time } from '../format.js';

interface Attempt {
  number: number;
  worker: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** How it ended; null while it runs. */
  outcome: string | null;
  code: string | null;
  message: string | null;
}

/** The events that end an attempt, and what the attempt reads as then. */
const ENDINGS: Partial<Record<JobEventWire['type'], string>> = {
  completed: 'completed',
  retry_scheduled: 'failed, retried',
  failed: 'failed',
  timeout: 'timed out',
  cancelled: 'cancelled',
  released: 'handed back (worker stopping)',
  recovered: 'lost with its worker, queued again',
};

const textOf = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

export class Attempts {
  readonly element = h('div', { class: 'attempts' });
  private readonly attempts = new Map<number, Attempt>();

  constructor() {
    this.render();
  }

  add(event: JobEventWire): void {
    if (event.attempt < 1) return;
    if (event.type === 'started') {
      this.attempts.set(event.attempt, {
        number: event.attempt,
        worker: event.worker_id,
        startedAt: event.at,
        endedAt: null,
        outcome: null,
        code: null,
        message: null,
      });
      this.render();
      return;
    }
    const outcome = ENDINGS[event.type];
    if (outcome === undefined) return;
    const attempt = this.attempts.get(event.attempt);
    // A cancel or release of a job that is not running ends no attempt.
    if (!attempt || attempt.outcome !== null) return;
    attempt.endedAt = event.at;
    attempt.outcome = outcome;
    attempt.worker ??= event.worker_id;
    attempt.code = textOf(event.data?.error_code);
    attempt.message = textOf(event.data?.error_message) ?? (attempt.code ? event.message : null);
    this.render();
  }

  private render(): void {
    const attempts = [...this.attempts.values()].sort((a, b) => a.number - b.number);
    if (attempts.length === 0) {
      replaceChildren(this.element, h('p', { class: 'muted' }, 'No attempt has started yet.'));
      return;
    }
    replaceChildren(
      this.element,
      h(
        'ol',
        { class: 'attempt-list', 'aria-label': 'Attempts' },
        attempts.map((attempt) =>
          h(
            'li',
            { class: `attempt ${attempt.code ? 'attempt-error' : ''}`, 'data-attempt': attempt.number },
            h(
              'div',
              { class: 'attempt-head' },
              h('strong', null, `Attempt ${attempt.number}`),
              h('span', { class: 'attempt-outcome' }, attempt.outcome ?? 'running'),
              attempt.startedAt
                ? h(
                    'span',
                    { class: 'attempt-times' },
                    `${time(attempt.startedAt)}${attempt.endedAt ? ` → ${time(attempt.endedAt)}` : ''}`,
                  )
                : null,
            ),
            h(
              'div',
              { class: 'attempt-worker' },
              'Worker ',
              h('code', { class: 'mono wrap' }, attempt.worker ?? '—'),
            ),
            attempt.code || attempt.message
              ? h(
                  'div',
                  { class: 'attempt-error-line' },
                  attempt.code ? h('code', null, attempt.code) : null,
                  attempt.message ? h('span', null, attempt.message) : null,
                )
              : null,
          ),
        ),
      ),
    );
  }
}
