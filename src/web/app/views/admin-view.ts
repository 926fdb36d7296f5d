/**
 * Admin (admin keys only): recovery and cleanup, every user with their points, new users and keys
 * (each key shown once), revoking a key by id or prefix.
 */
import { USER_ROLES } from '../../../users/model.js';
import { query } from '../api/client.js';
import type {
  AdminUser,
  AdminUserList,
  CleanupOutcome,
  CreatedKey,
  CreatedUser,
  NewUserRequest,
  RecoveryOutcome,
  RevokedKey,
} from '../api/types.js';
import { h, replaceChildren } from '../dom.js';
import { dateTime, shortId } from '../format.js';
import type { View, ViewContext } from './view.js';
import { card, field, pageHeading, runAction, select } from './widgets.js';

/** A plain key, shown once, with a copy button. */
function revealedKey(heading: string, key: CreatedKey): HTMLElement {
  const input = h('input', {
    type: 'text',
    readonly: true,
    value: key.key,
    class: 'mono',
    'aria-label': 'The new API key',
  });
  const copy = h('button', { type: 'button', class: 'button' }, 'Copy');
  copy.addEventListener('click', () => {
    input.select();
    void navigator.clipboard?.writeText(key.key).then(() => (copy.textContent = 'Copied'));
  });
  return h(
    'div',
    { class: 'revealed-key', role: 'status' },
    h('p', null, h('strong', null, heading), ' It is shown only now: copy it.'),
    h('div', { class: 'row' }, input, copy),
  );
}

/** A small form: the controls, a submit button, and what to do on submit. */
function miniForm(
  label: string,
  controls: HTMLElement[],
  submit: string,
  action: () => Promise<void>,
): HTMLFormElement {
  const form = h(
    'form',
    { class: 'toolbar', 'aria-label': label },
    ...controls,
    h('button', { type: 'submit', class: 'button' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runAction(form, action);
  });
  return form;
}

function maintenance(ctx: ViewContext): HTMLElement {
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const minutes = h('input', {
    type: 'number',
    name: 'timeout_minutes',
    min: '0',
    step: '1',
    placeholder: 'default',
  });
  const hours = h('input', {
    type: 'number',
    name: 'max_age_hours',
    min: '0',
    step: '1',
    placeholder: 'default',
  });
  const recovery = miniForm(
    'Recover orphaned jobs',
    [field('Stale after (minutes)', minutes)],
    'Run recovery',
    async () => {
      const outcome = await ctx.client.post<RecoveryOutcome>(
        `/api/presentations/jobs/system/recovery${query({ timeout_minutes: minutes.value })}`,
      );
      replaceChildren(
        result,
        h(
          'p',
          null,
          `Recovery (stale after ${outcome.timeout_minutes} min): ${outcome.requeued.length} re-queued, ` +
            `${outcome.failed.length} failed, ${outcome.cancelled.length} cancelled.`,
        ),
      );
    },
  );
  const cleanup = miniForm(
    'Delete old finished jobs',
    [field('Finished more than (hours) ago', hours)],
    'Run cleanup',
    async () => {
      const outcome = await ctx.client.delete<CleanupOutcome>(
        `/api/presentations/jobs/cleanup${query({ max_age_hours: hours.value })}`,
      );
      replaceChildren(
        result,
        h(
          'p',
          null,
          `Cleanup: ${outcome.deleted} finished jobs older than ${outcome.max_age_hours} h deleted.`,
        ),
      );
    },
  );
  return card('Maintenance', recovery, cleanup, result);
}

function userRow(ctx: ViewContext, user: AdminUser, reveal: (node: HTMLElement) => void): HTMLElement {
  const points = h('td', null, String(user.prompt_points));
  const delta = h('input', {
    type: 'number',
    step: '1',
    value: '100',
    'aria-label': `Points to add for user ${shortId(user.id)}`,
    class: 'narrow',
  });
  const addPoints = miniForm(`Points for user ${shortId(user.id)}`, [delta], 'Add points', async () => {
    const updated = await ctx.client.post<AdminUser>(`/api/admin/users/${user.id}/points`, {
      delta: Number(delta.value),
    });
    points.textContent = String(updated.prompt_points);
    ctx.announce(`User ${shortId(user.id)} now has ${updated.prompt_points} points.`);
  });
  const newKey = h('button', { type: 'button', class: 'button' }, 'New key');
  newKey.addEventListener(
    'click',
    () =>
      void runAction(newKey, async () => {
        const key = await ctx.client.post<CreatedKey>(`/api/admin/users/${user.id}/keys`, {});
        reveal(revealedKey(`New key for user ${shortId(user.id)} (prefix ${key.prefix}).`, key));
      }),
  );
  return h(
    'tr',
    null,
    h('td', { class: 'mono', title: user.id }, shortId(user.id)),
    h('td', null, user.role),
    h('td', { class: 'wrap' }, user.walletAddress ?? '—'),
    points,
    h('td', { class: 'col-age' }, dateTime(user.created_at)),
    h('td', null, h('div', { class: 'row-actions' }, addPoints, newKey)),
  );
}

async function usersCard(ctx: ViewContext): Promise<HTMLElement> {
  const revealed = h('div');
  const reveal = (node: HTMLElement) => {
    replaceChildren(revealed, node);
    node.querySelector('input')?.focus();
  };
  const tbody = h('tbody');
  const load = async () => {
    const list = await ctx.client.get<AdminUserList>('/api/admin/users', ctx.signal);
    replaceChildren(
      tbody,
      list.users.map((user) => userRow(ctx, user, reveal)),
    );
  };
  await load();

  const wallet = h('input', { type: 'text', name: 'walletAddress', autocomplete: 'off' });
  const points = h('input', {
    type: 'number',
    name: 'points',
    min: '0',
    step: '1',
    value: '0',
    class: 'narrow',
  });
  const role = select('role', USER_ROLES, 'user', { id: 'new-user-role' });
  const create = miniForm(
    'Create a user',
    [field('Wallet (optional)', wallet), field('Points', points), field('Role', role)],
    'Create user',
    async () => {
      const body: NewUserRequest = {
        points: Number(points.value || 0),
        role: role.value as NewUserRequest['role'],
      };
      if (wallet.value.trim()) body.walletAddress = wallet.value.trim();
      const created = await ctx.client.post<CreatedUser>('/api/admin/users', body);
      wallet.value = '';
      points.value = '0';
      role.value = 'user';
      await load();
      reveal(revealedKey(`User ${shortId(created.user.id)} created.`, created.key));
    },
  );

  const keyRef = h('input', { type: 'text', name: 'key', autocomplete: 'off', class: 'mono' });
  const revoke = miniForm('Revoke a key', [field('Key id or prefix', keyRef)], 'Revoke key', async () => {
    const key = keyRef.value.trim();
    if (!key) throw new Error('Enter the id or the prefix of the key to revoke.');
    const revoked = await ctx.client.delete<RevokedKey>(`/api/admin/keys/${encodeURIComponent(key)}`);
    keyRef.value = '';
    ctx.announce(`Key ${revoked.prefix} of user ${shortId(revoked.user_id)} is revoked.`);
  });

  return card(
    'Users',
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'simple users' },
        h('caption', { class: 'visually-hidden' }, 'Users and their points'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['User', 'Role', 'Wallet', 'Points', 'Created', 'Actions'].map((name) =>
              h('th', { scope: 'col' }, name),
            ),
          ),
        ),
        tbody,
      ),
    ),
    revealed,
    h('h3', null, 'New user'),
    create,
    h('h3', null, 'Revoke a key'),
    revoke,
  );
}

export const adminView: View = async (ctx) =>
  h('section', { class: 'admin-view' }, pageHeading('Admin'), maintenance(ctx), await usersCard(ctx));
