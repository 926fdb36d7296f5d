/**
 * API keys (`#/keys`): an admin sees every user's keys, a user their own; each with its prefix,
 * label, creation and last use, and a Revoke button that asks once, in the page, before revoking.
 * Revoking the key this browser signs in with signs out (the next call is refused).
 */
import { ApiError, query } from '../api/client.js';
import type { AdminKeyList, ApiKeyWire, OwnKeyList } from '../api/ops-types.js';
import { h, replaceChildren } from '../dom.js';
import { dateTime, shortId } from '../format.js';
import { links } from '../router.js';
import type { View, ViewContext } from './view.js';
import { card, pageHeading } from './widgets.js';

type ListedKey = ApiKeyWire & { user_role?: string; user_wallet_address?: string | null };

function ownerCell(key: ListedKey): HTMLElement {
  return h(
    'td',
    { class: 'key-owner', title: key.user_id },
    h('div', null, `${key.user_role ?? 'user'} `, h('span', { class: 'mono' }, shortId(key.user_id))),
    key.user_wallet_address ? h('div', { class: 'muted wrap' }, key.user_wallet_address) : null,
  );
}

/** Revoke, then an in-page "are you sure" with the consequence spelled out. */
function revokeCell(ctx: ViewContext, key: ListedKey, current: boolean, onRevoked: () => void): HTMLElement {
  const cell = h('td', { class: 'key-actions' });
  const ask = () => {
    const yes = h('button', { type: 'button', class: 'button danger' }, 'Yes, revoke');
    const keep = h('button', { type: 'button', class: 'button plain' }, 'Keep');
    const error = h('span', { class: 'inline-error', role: 'alert', hidden: true });
    const question = current
      ? `Revoke ${key.prefix}? It is the key you are signed in with: you will be signed out.`
      : `Revoke ${key.prefix}? Anything using it is refused from now on.`;
    replaceChildren(
      cell,
      h('div', { class: 'confirm', role: 'group' }, h('span', null, question), yes, keep, error),
    );
    keep.addEventListener('click', initial);
    yes.addEventListener('click', () => {
      yes.disabled = true;
      const path = ctx.me.role === 'admin' ? '/api/admin/keys/' : '/api/users/me/keys/';
      ctx.client
        .delete<ApiKeyWire>(`${path}${encodeURIComponent(key.id)}`)
        .then(async () => {
          ctx.announce(`Key ${key.prefix} is revoked.`);
          if (current) {
            // This browser's key: the next call is refused, which signs out.
            await ctx.client.get('/api/users/me').catch(() => undefined);
            return;
          }
          onRevoked();
        })
        .catch((failure: unknown) => {
          yes.disabled = false;
          error.hidden = false;
          error.textContent = failure instanceof Error ? failure.message : String(failure);
        });
    });
    yes.focus();
  };
  function initial(): void {
    const button = h(
      'button',
      { type: 'button', class: 'button danger', 'aria-label': `Revoke key ${key.prefix}` },
      'Revoke',
    );
    button.addEventListener('click', ask);
    replaceChildren(cell, button);
  }
  if (key.revoked_at) replaceChildren(cell, h('span', { class: 'status status-cancelled' }, 'revoked'));
  else initial();
  return cell;
}

function keyTable(
  ctx: ViewContext,
  keys: ListedKey[],
  currentId: string,
  admin: boolean,
  reload: () => void,
) {
  if (keys.length === 0) return h('p', { class: 'muted' }, 'No keys.');
  const columns: [string, string | null][] = [
    ['Prefix', null],
    ...(admin ? [['Owner', null] as [string, null]] : []),
    ['Label', null],
    ['Created', 'col-age'],
    ['Last used', null],
    ['Revoke', null],
  ];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'simple keys' },
      h('caption', { class: 'visually-hidden' }, 'API keys'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          columns.map(([name, column]) => h('th', { scope: 'col', class: column }, name)),
        ),
      ),
      h(
        'tbody',
        null,
        keys.map((key) => {
          const current = key.id === currentId;
          return h(
            'tr',
            { 'data-key': key.prefix, class: key.revoked_at ? 'revoked' : null },
            h(
              'td',
              null,
              h('code', null, key.prefix),
              current ? h('span', { class: 'this-key' }, 'this browser') : null,
            ),
            admin ? ownerCell(key) : null,
            h('td', null, key.label ?? '—'),
            h('td', { class: 'col-age' }, dateTime(key.created_at)),
            h('td', null, key.last_used_at ? dateTime(key.last_used_at) : 'never'),
            revokeCell(ctx, key, current, reload),
          );
        }),
      ),
    ),
  );
}

export function keysView(params: URLSearchParams): View {
  return async (ctx) => {
    const includeRevoked = params.get('revoked') === '1';
    const admin = ctx.me.role === 'admin';
    const list = query({ include_revoked: includeRevoked || undefined });
    const body = h('div');
    const load = async () => {
      const own = await ctx.client.get<OwnKeyList>(`/api/users/me/keys${list}`, ctx.signal);
      const keys: ListedKey[] = admin
        ? (await ctx.client.get<AdminKeyList>(`/api/admin/keys${list}`, ctx.signal)).keys
        : own.keys;
      replaceChildren(
        body,
        keyTable(ctx, keys, own.current_key_id, admin, () => void load().catch(show)),
      );
    };
    const show = (error: unknown) =>
      replaceChildren(
        body,
        h(
          'p',
          { class: 'inline-error', role: 'alert' },
          error instanceof ApiError ? error.message : String(error),
        ),
      );
    await load();
    const toggle = h(
      'a',
      { href: `${links.keys()}${includeRevoked ? '' : '?revoked=1'}`, class: 'button plain' },
      includeRevoked ? 'Hide revoked keys' : 'Show revoked keys',
    );
    return h(
      'section',
      { class: 'keys-view' },
      pageHeading('API keys', toggle),
      card(
        admin ? "Every user's keys" : 'Your keys',
        h(
          'p',
          { class: 'muted' },
          'Last use is recorded at most once a minute per key, so it can be a minute or two behind.',
        ),
        body,
      ),
    );
  };
}
