/** What the user sees when something goes wrong: not found, no access, no connection, an error. */
import { h } from '../dom.js';
import { ApiError, NetworkError } from '../api/client.js';
import { links } from '../router.js';

export function notFoundPanel(title: string, text: string): HTMLElement {
  return h(
    'section',
    { class: 'problem', 'data-testid': 'not-found' },
    h('h1', { tabindex: '-1' }, title),
    h('p', null, text),
    h('p', null, h('a', { href: links.jobs() }, 'Back to the jobs')),
  );
}

export function problemPanel(error: unknown, retry: () => void): HTMLElement {
  if (error instanceof ApiError && error.status === 404) {
    return notFoundPanel('Not found', error.message);
  }
  const retryButton = h('button', { type: 'button', class: 'button primary', onclick: retry }, 'Try again');
  if (error instanceof NetworkError) {
    return h(
      'section',
      { class: 'problem', role: 'alert' },
      h('h1', { tabindex: '-1' }, 'No connection'),
      h('p', null, error.message),
      retryButton,
    );
  }
  if (error instanceof ApiError && error.status === 403) {
    return h(
      'section',
      { class: 'problem', role: 'alert' },
      h('h1', { tabindex: '-1' }, 'Not allowed'),
      h('p', null, error.message),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : 'UNEXPECTED';
  return h(
    'section',
    { class: 'problem', role: 'alert' },
    h('h1', { tabindex: '-1' }, 'Something went wrong'),
    h('p', null, h('code', null, code), ' ', message),
    retryButton,
  );
}
