/**
 * Queue health: counts by status now, failure rate, oldest pending age, and over the chosen period
 * processing-time figures, priorities and error codes; the workers seen on running jobs.
 */
import { JOB_PRIORITIES, JOB_STATUSES } from '../../../jobs/model.js';
import type { JobList, QueueHealth, QueueStatistics } from '../api/types.js';
import { h } from '../dom.js';
import { age, duration, percent, shortId } from '../format.js';
import { links } from '../router.js';
import { barChart, figure } from './charts.js';
import type { View, ViewContext } from './view.js';
import { card, field, pageHeading, select } from './widgets.js';

const PERIODS: [string, string][] = [
  ['1', 'last hour'],
  ['6', 'last 6 hours'],
  ['24', 'last 24 hours'],
  ['168', 'last 7 days'],
];

/** Workers seen on running jobs, with the newest heartbeat of each. */
function workersOf(running: JobList): HTMLElement {
  const seen = new Map<string, { jobs: number; heartbeat: string | null }>();
  for (const job of running.jobs) {
    if (!job.worker_id) continue;
    const entry = seen.get(job.worker_id) ?? { jobs: 0, heartbeat: null };
    entry.jobs += 1;
    if (job.last_heartbeat && (!entry.heartbeat || job.last_heartbeat > entry.heartbeat))
      entry.heartbeat = job.last_heartbeat;
    seen.set(job.worker_id, entry);
  }
  if (seen.size === 0) return h('p', { class: 'muted' }, 'No worker is running a job right now.');
  return h(
    'table',
    { class: 'simple' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Worker'),
        h('th', { scope: 'col' }, 'Running'),
        h('th', { scope: 'col' }, 'Last heartbeat'),
      ),
    ),
    h(
      'tbody',
      null,
      [...seen].map(([id, entry]) =>
        h(
          'tr',
          null,
          h('td', { class: 'mono', title: id }, shortId(id)),
          h('td', null, String(entry.jobs)),
          h('td', null, entry.heartbeat ? `${age(entry.heartbeat)} ago` : '—'),
        ),
      ),
    ),
  );
}

function errorCodes(stats: QueueStatistics): HTMLElement {
  const entries = Object.entries(stats.error_codes).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No errors in this period.');
  return h(
    'table',
    { class: 'simple' },
    h(
      'thead',
      null,
      h('tr', null, h('th', { scope: 'col' }, 'Error code'), h('th', { scope: 'col' }, 'Jobs')),
    ),
    h(
      'tbody',
      null,
      entries.map(([code, count]) =>
        h('tr', null, h('td', null, h('code', null, code)), h('td', null, String(count))),
      ),
    ),
  );
}

async function healthContent(ctx: ViewContext, hours: string): Promise<HTMLElement> {
  const [health, stats, running] = await Promise.all([
    ctx.client.get<QueueHealth>('/api/presentations/jobs/health', ctx.signal),
    ctx.client.get<QueueStatistics>(`/api/presentations/jobs/statistics?hours=${hours}`, ctx.signal),
    ctx.client.get<JobList>('/api/presentations/jobs?status=running&limit=100', ctx.signal),
  ]);
  const times = stats.processing_time_seconds;
  const timing = (['average', 'p50', 'p95', 'p99', 'max'] as const).map((key) => ({
    label: key === 'average' ? 'average' : key,
    value: times[key] ?? 0,
    text: duration(times[key]),
  }));
  return h(
    'div',
    { class: 'health-grid' },
    card(
      'Now',
      h(
        'div',
        { class: 'figures' },
        figure(String(health.pending), 'pending'),
        figure(String(health.running), 'running'),
        figure(String(health.waiting), 'waiting for parents'),
        figure(percent(health.failure_rate), 'failure rate (all time)'),
        figure(
          health.oldest_pending_job_age_minutes === null
            ? '—'
            : duration(health.oldest_pending_job_age_minutes * 60),
          'oldest pending job',
        ),
      ),
      barChart(
        'Jobs by status (all time)',
        JOB_STATUSES.map((status) => ({ label: status, value: health[status], tone: status })),
      ),
    ),
    card(
      `Over the ${PERIODS.find(([value]) => value === hours)?.[1] ?? `last ${hours} hours`}`,
      h(
        'div',
        { class: 'figures' },
        figure(String(stats.total), 'jobs created'),
        figure(percent(stats.failure_rate), 'failure rate'),
        figure(String(stats.retried_jobs), 'retried'),
        figure(String(times.count), 'timed runs'),
      ),
      barChart(
        'Jobs by status',
        JOB_STATUSES.map((status) => ({ label: status, value: stats.by_status[status], tone: status })),
      ),
    ),
    card('Processing time', barChart(`Processing time over ${times.count} finished runs`, timing)),
    card(
      'Priorities',
      barChart(
        'Jobs by priority',
        JOB_PRIORITIES.map((priority) => ({
          label: priority,
          value: stats.priority_distribution[priority] ?? 0,
        })),
      ),
    ),
    card('Error codes', errorCodes(stats)),
    card('Workers', workersOf(running)),
  );
}

export function healthView(params: URLSearchParams): View {
  return async (ctx) => {
    const chosen = params.get('hours') ?? '24';
    const hours = PERIODS.some(([value]) => value === chosen) ? chosen : '24';
    const period = select('hours', PERIODS, hours);
    const form = h(
      'form',
      { class: 'toolbar', 'aria-label': 'Statistics period' },
      field('Period', period),
      h('button', { type: 'submit', class: 'button' }, 'Show'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      ctx.navigate(`${links.health()}?hours=${period.value}`);
    });
    return h(
      'section',
      { class: 'health-view' },
      pageHeading('Health', form),
      await healthContent(ctx, hours),
    );
  };
}
