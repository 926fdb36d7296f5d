/**
 * The jobs table: status chips with their counts, filters by kind and priority, search by id or its
 * start, cursor paging, live progress while any row is queued or running, and several rows selected
 * to cancel or retry at once.
 */
import { JOB_PRIORITIES, isJobId } from '../../../jobs/model.js';
import { query } from '../api/client.js';
import type { BulkCancelOutcome, BulkRetryOutcome, JobList, JobWire, QueueHealth } from '../api/types.js';
import { h, replaceChildren } from '../dom.js';
import { age, shortId } from '../format.js';
import { links } from '../router.js';
import { statusChips, updateStatusChips } from './status-chips.js';
import { every, type View, type ViewContext } from './view.js';
import {
  actionButton,
  field,
  pageHeading,
  progressBar,
  select,
  statusBadge,
  updateProgressBar,
  updateStatusBadge,
} from './widgets.js';

const PAGE_SIZE = 25;
const REFRESH_MS = 2000;
/** The status counts are reread at most this often while rows are active (a count per status). */
const COUNTS_REFRESH_MS = 10_000;
/** The kinds this service registers; a filter on another kind is kept as an extra option. */
const KNOWN_KINDS = ['presentation', 'webhook', 'sleep', 'noop'];
const ID_PREFIX = /^[0-9a-f-]{1,36}$/i;
/** The params that pick which jobs the table shows (a new choice starts again at the first page). */
const FILTERS = ['status', 'kind', 'priority', 'id_prefix'] as const;
const COLUMNS = 8;
const RETRYABLE = new Set<JobWire['status']>(['failed', 'cancelled', 'timeout']);
const ACTIVE = new Set<JobWire['status']>(['pending', 'running']);

interface Row {
  job: JobWire;
  element: HTMLTableRowElement;
  checkbox: HTMLInputElement;
  status: HTMLElement;
  stage: HTMLElement;
  progress: HTMLElement;
  age: HTMLElement;
}

function rowFor(job: JobWire, admin: boolean, onToggle: () => void): Row {
  const checkbox = h('input', {
    type: 'checkbox',
    'aria-label': `Select job ${shortId(job.id)}`,
    onchange: onToggle,
  });
  const status = statusBadge(job.status);
  const stage = h('td', { class: 'col-stage' }, job.stage ?? '—');
  const progress = progressBar(job.progress, `Progress of job ${shortId(job.id)}`);
  const ageCell = h('td', { class: 'col-age', title: job.created_at }, age(job.created_at));
  const element = h(
    'tr',
    { 'data-job-id': job.id },
    h('td', { class: 'col-select' }, checkbox),
    h('td', null, h('a', { href: links.job(job.id), class: 'mono', title: job.id }, shortId(job.id))),
    h('td', { class: 'col-kind' }, job.kind),
    h('td', null, status),
    h('td', { class: 'col-priority' }, job.priority),
    stage,
    h('td', { class: 'col-progress' }, progress),
    ageCell,
    admin
      ? h(
          'td',
          { class: 'col-owner mono', title: job.user_id ?? '' },
          job.user_id ? shortId(job.user_id) : '—',
        )
      : null,
  );
  return { job, element, checkbox, status, stage, progress, age: ageCell };
}

function updateRow(row: Row, job: JobWire): void {
  row.job = job;
  updateStatusBadge(row.status, job.status);
  row.stage.textContent = job.stage ?? '—';
  updateProgressBar(row.progress, job.progress);
  row.age.textContent = age(job.created_at);
}

function bulkSummary(outcome: BulkCancelOutcome): string {
  const parts = [
    outcome.cancelled.length && `${outcome.cancelled.length} cancelled`,
    outcome.cancel_requested.length && `${outcome.cancel_requested.length} stopping`,
    outcome.already_finished.length && `${outcome.already_finished.length} already finished`,
    outcome.not_found.length && `${outcome.not_found.length} not found`,
  ].filter(Boolean);
  return parts.length ? `${parts.join(', ')}.` : 'Nothing to cancel.';
}

/** What a bulk retry did; `skipped`: selected jobs that were not failed, cancelled or timed out. */
function retrySummary(outcome: BulkRetryOutcome | null, skipped: number): string {
  const refusals = [...new Set(outcome?.results.flatMap((result) => result.error?.message ?? []))];
  const parts = [
    `${outcome?.retried ?? 0} queued again`,
    outcome?.refused && `${outcome.refused} refused (${refusals.slice(0, 2).join(' ')})`,
    skipped && `${skipped} not failed, cancelled or timed out`,
  ].filter(Boolean);
  return `${parts.join(', ')}.`;
}

/** The current filters with `changes` applied, from the first page. */
function filtersWith(params: URLSearchParams, changes: Record<string, string>): URLSearchParams {
  const next = new URLSearchParams();
  for (const name of FILTERS) {
    const value = changes[name] ?? params.get(name) ?? '';
    if (value) next.set(name, value);
  }
  return next;
}

function filtersForm(
  ctx: ViewContext,
  params: URLSearchParams,
  pageKinds: readonly string[],
): HTMLFormElement {
  const current = params.get('kind') ?? '';
  const kinds = [...new Set([...KNOWN_KINDS, ...pageKinds, ...(current ? [current] : [])])];
  const kind = select('kind', [['', 'All kinds'], ...kinds], current);
  const priority = select(
    'priority',
    [['', 'All priorities'], ...JOB_PRIORITIES],
    params.get('priority') ?? '',
  );
  const form = h(
    'form',
    { class: 'toolbar', 'aria-label': 'Filter jobs' },
    field('Kind', kind),
    field('Priority', priority),
    h('button', { type: 'submit', class: 'button' }, 'Filter'),
  );
  // Applied on submit only: a closed select changes value on each arrow key.
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.navigate(links.jobs(filtersWith(params, { kind: kind.value, priority: priority.value })));
  });
  return form;
}

/** A whole id opens the job; the start of one filters the table to the ids that begin with it. */
function findForm(ctx: ViewContext, params: URLSearchParams): HTMLFormElement {
  const input = h('input', {
    name: 'id',
    type: 'search',
    placeholder: 'e.g. 019af3c2',
    autocomplete: 'off',
    spellcheck: 'false',
    value: params.get('id_prefix') ?? '',
  });
  const error = h('p', { class: 'inline-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'toolbar', role: 'search', 'aria-label': 'Find jobs by id' },
    field('Job id or its start', input),
    h('button', { type: 'submit', class: 'button' }, 'Find'),
    params.has('id_prefix')
      ? h('a', { class: 'button', href: links.jobs(filtersWith(params, { id_prefix: '' })) }, 'Clear')
      : null,
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = input.value.trim();
    if (isJobId(id)) {
      ctx.navigate(links.job(id.toLowerCase()));
      return;
    }
    if (id !== '' && !ID_PREFIX.test(id)) {
      error.textContent = 'Enter a job id or its start: hexadecimal digits, such as 019af3c2.';
      error.hidden = false;
      input.focus();
      return;
    }
    ctx.navigate(links.jobs(filtersWith(params, { id_prefix: id })));
  });
  return form;
}

export function jobsView(params: URLSearchParams): View {
  return async (ctx) => {
    const admin = ctx.me.role === 'admin';
    const listPath = () =>
      `/api/presentations/jobs${query({
        status: params.get('status'),
        kind: params.get('kind'),
        priority: params.get('priority'),
        id_prefix: params.get('id_prefix'),
        cursor: params.get('cursor'),
        limit: PAGE_SIZE,
      })}`;
    const countsPath = '/api/presentations/jobs/health';
    let [page, counts] = await Promise.all([
      ctx.client.get<JobList>(listPath(), ctx.signal),
      ctx.client.get<QueueHealth>(countsPath, ctx.signal),
    ]);
    let countsReadAt = Date.now();
    const chips = statusChips(
      counts,
      params.get('status') ?? '',
      (status) => links.jobs(filtersWith(params, { status })),
      ['kind', 'priority', 'id_prefix'].some((name) => params.has(name)),
    );
    const prefix = params.get('id_prefix');
    // The table shows each id's end (format.ts: UUIDv7s of one moment share their start).
    const emptyText = prefix
      ? `No job id starts with ${prefix}. The short ids in the table are the ends of ids: search with the start of a whole id.`
      : 'No jobs here yet.';

    const rows = new Map<string, Row>();
    const tbody = h('tbody');
    const selectedCount = h('span', { class: 'selected-count', 'aria-live': 'polite' }, 'None selected');
    const selectAll = h('input', { type: 'checkbox', 'aria-label': 'Select every job on this page' });
    const selected = () => [...rows.values()].filter((row) => row.checkbox.checked);
    const onToggle = () => {
      const count = selected().length;
      selectedCount.textContent = count === 0 ? 'None selected' : `${count} selected`;
      selectAll.checked = count > 0 && count === rows.size;
      selectAll.indeterminate = count > 0 && count < rows.size;
    };
    selectAll.addEventListener('change', () => {
      for (const row of rows.values()) row.checkbox.checked = selectAll.checked;
      onToggle();
    });

    const fill = (jobs: JobWire[]) => {
      const keep = new Set(selected().map((row) => row.job.id));
      rows.clear();
      replaceChildren(tbody);
      for (const job of jobs) {
        const row = rowFor(job, admin, onToggle);
        row.checkbox.checked = keep.has(job.id);
        rows.set(job.id, row);
        tbody.append(row.element);
      }
      if (jobs.length === 0) {
        tbody.append(
          h('tr', null, h('td', { colspan: admin ? COLUMNS + 1 : COLUMNS, class: 'empty' }, emptyText)),
        );
      }
      onToggle();
    };
    fill(page.jobs);

    const refreshCounts = async () => {
      counts = await ctx.client.get<QueueHealth>(countsPath, ctx.signal);
      countsReadAt = Date.now();
      updateStatusChips(chips, counts);
    };
    const refresh = async (withCounts: boolean) => {
      if (withCounts || Date.now() - countsReadAt >= COUNTS_REFRESH_MS) void refreshCounts().catch(() => {});
      page = await ctx.client.get<JobList>(listPath(), ctx.signal);
      const sameRows = page.jobs.length === rows.size && page.jobs.every((job) => rows.has(job.id));
      if (sameRows) for (const job of page.jobs) updateRow(rows.get(job.id)!, job);
      else fill(page.jobs);
      next.hidden = !page.next_cursor;
      next.setAttribute('href', links.jobs(nextParams()));
    };
    every(REFRESH_MS, ctx.signal, async () => {
      if ([...rows.values()].some((row) => ACTIVE.has(row.job.status))) await refresh(false).catch(() => {});
    });

    const cancelSelected = actionButton(
      'Cancel selected',
      async () => {
        const ids = selected().map((row) => row.job.id);
        if (ids.length === 0) throw new Error('Select the jobs to cancel first.');
        const outcome = await ctx.client.post<BulkCancelOutcome>('/api/presentations/jobs/bulk-cancel', {
          job_ids: ids,
        });
        ctx.announce(bulkSummary(outcome));
        await refresh(true);
      },
      'danger',
    );
    const retrySelected = actionButton('Retry selected', async () => {
      const chosen = selected().map((row) => row.job);
      if (chosen.length === 0) throw new Error('Select the jobs to retry first.');
      const ids = chosen.filter((job) => RETRYABLE.has(job.status)).map((job) => job.id);
      // One request for them all: the server holds the per-user limits over the whole batch.
      const outcome =
        ids.length === 0
          ? null
          : await ctx.client.post<BulkRetryOutcome>('/api/presentations/jobs/bulk-retry', { job_ids: ids });
      ctx.announce(retrySummary(outcome, chosen.length - ids.length));
      await refresh(true);
    });

    const nextParams = () => {
      const p = new URLSearchParams(params);
      p.set('cursor', page.next_cursor ?? '');
      return p;
    };
    const next = h(
      'a',
      { class: 'button', href: links.jobs(nextParams()), hidden: !page.next_cursor },
      'Next page',
    );
    const first = new URLSearchParams(params);
    first.delete('cursor');

    return h(
      'section',
      { class: 'jobs-view' },
      pageHeading('Jobs', h('a', { class: 'button primary', href: links.newJob() }, 'New job')),
      chips,
      h(
        'div',
        { class: 'toolbars' },
        filtersForm(
          ctx,
          params,
          page.jobs.map((job) => job.kind),
        ),
        findForm(ctx, params),
      ),
      h('div', { class: 'bulk-bar' }, selectedCount, cancelSelected, retrySelected),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'jobs' },
          h('caption', { class: 'visually-hidden' }, 'Jobs, newest first'),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { class: 'col-select', scope: 'col' }, selectAll),
              h('th', { scope: 'col' }, 'Job'),
              h('th', { class: 'col-kind', scope: 'col' }, 'Kind'),
              h('th', { scope: 'col' }, 'Status'),
              h('th', { class: 'col-priority', scope: 'col' }, 'Priority'),
              h('th', { class: 'col-stage', scope: 'col' }, 'Stage'),
              h('th', { class: 'col-progress', scope: 'col' }, 'Progress'),
              h('th', { class: 'col-age', scope: 'col' }, 'Age'),
              admin ? h('th', { class: 'col-owner', scope: 'col' }, 'Owner') : null,
            ),
          ),
          tbody,
        ),
      ),
      h(
        'nav',
        { class: 'pager', 'aria-label': 'Pages' },
        params.has('cursor') ? h('a', { class: 'button', href: links.jobs(first) }, 'First page') : null,
        next,
      ),
    );
  };
}
