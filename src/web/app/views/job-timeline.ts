/** A job's stage timeline, one entry per event from its log (`job_events`), newest last. */
import type { JobEventWire } from '../api/types.js';
import { h } from '../dom.js';
import { time } from '../format.js';

/** Progress events are many: a run of them on the same stage shows as one entry, updated in place. */
export class Timeline {
  readonly element = h('ol', { class: 'timeline', 'aria-label': 'Job events' });
  private lastKey: string | null = null;
  private lastItem: HTMLElement | null = null;

  add(event: JobEventWire): void {
    const key = event.type === 'progress' ? `progress:${event.attempt}:${event.stage ?? ''}` : null;
    const item = h(
      'li',
      { class: `event event-${event.type}` },
      h('time', { datetime: event.at, title: event.at }, time(event.at)),
      h('span', { class: 'event-type' }, event.type.replace('_', ' ')),
      event.stage ? h('span', { class: 'event-stage' }, event.stage) : null,
      h('span', { class: 'event-progress' }, `${event.progress} %`),
      event.message ? h('span', { class: 'event-message' }, event.message) : null,
    );
    if (key !== null && key === this.lastKey && this.lastItem) this.lastItem.replaceWith(item);
    else this.element.append(item);
    this.lastKey = key;
    this.lastItem = item;
  }
}
