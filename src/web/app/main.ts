/**
 * The dashboard's entry point: restores the key, loads the caller, and renders the view the URL's
 * hash names. A 401 anywhere forgets the key and returns to the key form with the reason.
 */
import { ApiClient, ApiError, NetworkError } from './api/client.js';
import type { Me } from './api/types.js';
import { h, replaceChildren } from './dom.js';
import { links, parseRoute, type Route } from './router.js';
import { forgetKey, storedKey, storeKey } from './session.js';
import { activityView } from './views/activity-view.js';
import { adminView } from './views/admin-view.js';
import { healthView } from './views/health-view.js';
import { jobView } from './views/job-view.js';
import { jobsView } from './views/jobs-view.js';
import { keysView } from './views/keys-view.js';
import { header } from './views/layout.js';
import { loginView } from './views/login-view.js';
import { newJobView } from './views/new-job-view.js';
import { notFoundPanel, problemPanel } from './views/problems.js';
import { schedulesView } from './views/schedules-view.js';
import type { View } from './views/view.js';

const root = document.getElementById('app') as HTMLElement;
const live = h('div', { class: 'live', role: 'status', 'aria-live': 'polite' });
let me: Me | null = null;
let client: ApiClient | null = null;
let notice: string | null = null;
let leaving: AbortController | null = null;

function navigate(hash: string): void {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

const ANNOUNCE_MS = 6000;
let announced: ReturnType<typeof setTimeout> | undefined;

function announce(message: string): void {
  live.textContent = message;
  clearTimeout(announced);
  announced = setTimeout(() => (live.textContent = ''), ANNOUNCE_MS);
}

function signOut(reason: string | null): void {
  forgetKey();
  me = null;
  client = null;
  notice = reason;
  navigate(links.login());
}

function newClient(key: string): ApiClient {
  return new ApiClient(key, {
    onUnauthorized: () => signOut('Your API key was not accepted (unknown or revoked). Paste a valid key.'),
  });
}

function viewFor(route: Route, caller: Me): View | null {
  switch (route.name) {
    case 'jobs':
      return jobsView(route.params);
    case 'job':
      return jobView(route.id);
    case 'new':
      return newJobView;
    case 'health':
      return healthView(route.params);
    case 'activity':
      return activityView(route.params);
    case 'keys':
      return keysView(route.params);
    case 'schedules':
      return caller.role === 'admin' ? schedulesView : null;
    case 'admin':
      return caller.role === 'admin' ? adminView : null;
    default:
      return null;
  }
}

function frame(route: Route, main: HTMLElement): void {
  replaceChildren(
    root,
    header(me, route, () => signOut(null)),
    main,
    live,
  );
  const heading = main.querySelector('h1');
  if (heading && document.activeElement === document.body) heading.focus({ preventScroll: true });
}

async function render(): Promise<void> {
  leaving?.abort();
  const controller = new AbortController();
  leaving = controller;
  const route = parseRoute(location.hash);
  const main = h('main', { id: 'main' });
  const key = storedKey();

  if (route.name === 'login' || !key) {
    const form = loginView(notice, (value, caller) => {
      storeKey(value);
      me = caller;
      client = newClient(value);
      notice = null;
      navigate(links.jobs());
    });
    main.append(form);
    frame({ name: 'login' }, main);
    form.querySelector('input')?.focus();
    if (route.name !== 'login' && key === null) history.replaceState(null, '', links.login());
    return;
  }

  client ??= newClient(key);
  main.append(h('p', { class: 'loading', 'aria-busy': 'true' }, 'Loading…'));
  frame(route, main);
  try {
    me ??= await client.get<Me>('/api/users/me', controller.signal);
    const view = viewFor(route, me);
    const content = view
      ? await view({ client, me, signal: controller.signal, navigate, announce })
      : notFoundPanel('Page not found', 'There is no such page in the dashboard.');
    if (controller.signal.aborted) return;
    replaceChildren(main, content);
    // The address whose view this is, once its content is in: the URL changes before that.
    main.dataset.route = location.hash;
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof ApiError && error.status === 401) return; // signed out: the key form shows
    replaceChildren(
      main,
      problemPanel(error, () => void render()),
    );
    if (!(error instanceof NetworkError) && !(error instanceof ApiError)) console.error(error);
  }
  frame(route, main);
}

window.addEventListener('hashchange', () => void render());
void render();
