/** The frame around every signed-in view: the brand, the navigation, the caller, and sign out. */
import type { Me } from '../api/types.js';
import { h } from '../dom.js';
import { shortId } from '../format.js';
import { links, type Route } from '../router.js';

const NAV: { name: Route['name']; label: string; href: string; adminOnly?: boolean }[] = [
  { name: 'jobs', label: 'Jobs', href: links.jobs() },
  { name: 'new', label: 'New job', href: links.newJob() },
  { name: 'health', label: 'Health', href: links.health() },
  { name: 'activity', label: 'Over time', href: links.activity() },
  { name: 'keys', label: 'Keys', href: links.keys() },
  { name: 'schedules', label: 'Schedules', href: links.schedules(), adminOnly: true },
  { name: 'admin', label: 'Admin', href: links.admin(), adminOnly: true },
];

export function header(me: Me | null, route: Route, onSignOut: () => void): HTMLElement {
  const active = route.name === 'job' ? 'jobs' : route.name;
  return h(
    'header',
    { class: 'site-header' },
    h('a', { class: 'brand', href: links.jobs() }, 'reelqueue'),
    me
      ? h(
          'nav',
          { 'aria-label': 'Main' },
          h(
            'ul',
            null,
            NAV.filter((item) => !item.adminOnly || me.role === 'admin').map((item) =>
              h(
                'li',
                null,
                h('a', { href: item.href, 'aria-current': item.name === active ? 'page' : null }, item.label),
              ),
            ),
          ),
        )
      : null,
    me
      ? h(
          'div',
          { class: 'account' },
          h(
            'span',
            { class: 'who', title: me.id },
            `${me.role === 'admin' ? 'Admin' : 'User'} ${shortId(me.id)} · ${me.prompt_points} points`,
          ),
          h('button', { type: 'button', class: 'button plain', onclick: onSignOut }, 'Sign out'),
        )
      : null,
  );
}
