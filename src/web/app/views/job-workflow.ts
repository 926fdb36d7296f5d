/**
 * A job's workflow on its page: the jobs it waits for (its parents, theirs, …) and the jobs that wait
 * for it (its children, theirs, …), each with its kind and status and a link to its page. The family
 * is read through the job API, level by level in each direction, up to WORKFLOW_DEPTH levels and
 * WORKFLOW_LIMIT jobs; what lies beyond is counted, not hidden silently. A job met twice (two paths
 * lead to it) is listed again but not expanded again.
 */
import { ApiError, type ApiClient } from '../api/client.js';
import type { JobWithPayload } from '../api/types.js';
import { h, replaceChildren } from '../dom.js';
import { shortId } from '../format.js';
import { links } from '../router.js';
import { WORKFLOW_DEPTH, WORKFLOW_LIMIT } from '../workflow-limits.js';
import { card } from './widgets.js';

type Direction = 'depends_on' | 'children';
/** The relatives read, by id: null for one that is gone (deleted since); unread ones are absent. */
type Family = Map<string, JobWithPayload | null>;

const RULES: Record<JobWithPayload['on_parent_failure'], string> = {
  fail: 'fails too',
  cancel: 'is cancelled',
  run: 'runs anyway',
};

/** Reads the job's relatives in `direction`, a level at a time, into `family`. */
async function readRelatives(
  client: ApiClient,
  root: JobWithPayload,
  direction: Direction,
  family: Family,
  signal: AbortSignal,
): Promise<void> {
  let level = [root];
  for (let depth = 1; depth <= WORKFLOW_DEPTH && level.length > 0; depth++) {
    const ids = [...new Set(level.flatMap((job) => job[direction]))].filter((id) => !family.has(id));
    const room = Math.max(0, WORKFLOW_LIMIT - family.size);
    const read = await Promise.all(
      ids.slice(0, room).map((id) =>
        client
          .get<JobWithPayload>(`/api/presentations/jobs/${encodeURIComponent(id)}`, signal)
          .catch((error: unknown) => {
            if (error instanceof ApiError && error.status === 404) return null;
            throw error;
          }),
      ),
    );
    ids.slice(0, room).forEach((id, i) => family.set(id, read[i] ?? null));
    level = read.filter((job): job is JobWithPayload => job !== null);
  }
}

/** A job's line: its short id (a link), kind and status once read. */
function jobLine(id: string, job: JobWithPayload | null | undefined): HTMLElement {
  const link = h('a', { class: 'mono', href: links.job(id) }, shortId(id));
  if (job === undefined) return h('span', { class: 'workflow-job' }, link);
  if (job === null) return h('span', { class: 'workflow-job' }, link, h('span', { class: 'muted' }, 'gone'));
  return h(
    'span',
    { class: 'workflow-job' },
    link,
    h('span', { class: 'workflow-kind' }, job.kind),
    h('span', { class: `status status-${job.status}` }, job.status),
  );
}

/** The relatives of `job` in `direction` as nested lists, `depth` levels from the page's job. */
function branch(
  job: JobWithPayload,
  direction: Direction,
  family: Family,
  expanded: Set<string>,
  depth: number,
  label?: string,
): HTMLElement {
  return h(
    'ul',
    { class: 'workflow-branch', 'aria-label': label },
    job[direction].map((id) => {
      const relative = family.get(id);
      const again = expanded.has(id);
      expanded.add(id);
      let below: HTMLElement | null = null;
      if (relative && relative[direction].length > 0) {
        if (again) below = h('p', { class: 'muted workflow-more' }, 'listed above');
        else if (depth >= WORKFLOW_DEPTH || relative[direction].some((next) => !family.has(next))) {
          const count = relative[direction].length;
          below = h(
            'p',
            { class: 'muted workflow-more' },
            `${count} more ${direction === 'children' ? 'waiting for it' : 'it waits for'}: open it to see`,
          );
        } else below = branch(relative, direction, family, expanded, depth + 1);
      }
      return h('li', null, jobLine(id, relative), below);
    }),
  );
}

function workflowOf(job: JobWithPayload, family: Family): HTMLElement[] {
  const column = (direction: Direction, title: string, note: string) =>
    h(
      'div',
      { class: 'workflow-column' },
      h('h3', null, title),
      h('p', { class: 'muted' }, note),
      branch(job, direction, family, new Set([job.id]), 1, title),
    );
  return [
    h(
      'div',
      { class: 'workflow' },
      job.depends_on.length > 0
        ? column(
            'depends_on',
            'Parents',
            `Waits for these jobs; if one fails, this job ${RULES[job.on_parent_failure]}.`,
          )
        : null,
      job.children.length > 0 ? column('children', 'Children', 'These jobs wait for this one.') : null,
    ),
  ];
}

/**
 * The "Workflow" card of a job with parents or children (null for one with neither): its direct
 * relatives at once, then the family as far as WORKFLOW_DEPTH once read.
 */
export function workflowCard(
  client: ApiClient,
  job: JobWithPayload,
  signal: AbortSignal,
): HTMLElement | null {
  if (job.depends_on.length === 0 && job.children.length === 0) return null;
  const body = h('div', { 'aria-busy': 'true' }, workflowOf(job, new Map()));
  const family: Family = new Map([[job.id, job]]);
  readRelatives(client, job, 'depends_on', family, signal)
    .then(() => readRelatives(client, job, 'children', family, signal))
    .then(() => replaceChildren(body, workflowOf(job, family)))
    .catch((error: unknown) => {
      if (signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      body.append(
        h('p', { class: 'inline-error', role: 'alert' }, `The workflow could not be read: ${message}`),
      );
    })
    .finally(() => body.removeAttribute('aria-busy'));
  return h('div', { class: 'job-family' }, card('Workflow', body));
}
