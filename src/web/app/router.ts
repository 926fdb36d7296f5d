/**
 * Hash routes (`#/jobs`, `#/jobs/<id>`, `#/new`, `#/health`, `#/activity`, `#/keys`, `#/schedules`, `#/admin`): the server serves one page,
 * and a bookmark or a reload lands on the same view.
 */

export type Route =
  | { name: 'login' }
  | { name: 'jobs'; params: URLSearchParams }
  | { name: 'job'; id: string }
  | { name: 'new' }
  | { name: 'health'; params: URLSearchParams }
  | { name: 'activity'; params: URLSearchParams }
  | { name: 'keys'; params: URLSearchParams }
  | { name: 'schedules' }
  | { name: 'admin' }
  | { name: 'missing'; path: string };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (parts.length === 0) return { name: 'jobs', params: new URLSearchParams(search) };
  if (first === 'jobs' && parts.length === 1) return { name: 'jobs', params: new URLSearchParams(search) };
  if (first === 'jobs' && second && parts.length === 2) return { name: 'job', id: second };
  if (parts.length === 1 && first === 'health')
    return { name: 'health', params: new URLSearchParams(search) };
  if (parts.length === 1 && (first === 'activity' || first === 'keys'))
    return { name: first, params: new URLSearchParams(search) };
  if (
    parts.length === 1 &&
    (first === 'login' || first === 'new' || first === 'schedules' || first === 'admin')
  )
    return { name: first };
  return { name: 'missing', path };
}

export const links = {
  jobs: (params?: URLSearchParams) => `#/jobs${params && params.size > 0 ? `?${params}` : ''}`,
  job: (id: string) => `#/jobs/${encodeURIComponent(id)}`,
  newJob: () => '#/new',
  health: () => '#/health',
  activity: () => '#/activity',
  keys: () => '#/keys',
  schedules: () => '#/schedules',
  admin: () => '#/admin',
  login: () => '#/login',
};
