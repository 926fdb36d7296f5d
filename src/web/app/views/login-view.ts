/** The key form: paste an API key once; it is checked against /api/users/me, then kept. */
import { ApiClient, ApiError } from '../api/client.js';
import type { Me } from '../api/types.js';
import { h } from '../dom.js';
import { field, runAction } from './widgets.js';

export function loginView(notice: string | null, onSignedIn: (key: string, me: Me) => void): HTMLElement {
  const key = h('input', {
    type: 'password',
    name: 'api-key',
    id: 'api-key',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  });
  const form = h(
    'form',
    { class: 'login-form' },
    notice ? h('p', { class: 'notice', role: 'alert' }, notice) : null,
    field(
      'API key',
      key,
      'The key starts with rq_. An admin key is printed by `npm start` and kept in data/admin-key.',
    ),
    h('button', { type: 'submit', class: 'button primary' }, 'Sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runAction(form, async () => {
      const value = key.value.trim();
      if (!value) throw new Error('Paste your API key first.');
      try {
        onSignedIn(value, await new ApiClient(value).get<Me>('/api/users/me'));
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          key.select();
          throw new Error('That key was not accepted: it is unknown or revoked.');
        }
        throw error;
      }
    });
  });
  return h(
    'section',
    { class: 'login-view' },
    h('h1', { tabindex: '-1' }, 'Sign in to reelqueue'),
    h('p', null, 'Paste an API key. It stays in this browser until you sign out.'),
    form,
  );
}
