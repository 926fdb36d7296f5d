/**
 * The queue over time (`#/activity`): jobs created, completed and failed per minute or hour, the
 * queue depth, and processing-time percentiles, from GET /api/presentations/jobs/statistics/timeseries.
 * Minute buckets for the last hour or six, hour buckets beyond; refreshed every 30 seconds.
 */
import { query } from '../api/client.js';
import type { TimeSeries } from '../api/ops-types.js';
import { h, replaceChildren } from '../dom.js';
import { duration } from '../format.js';
import { links } from '../router.js';
import { figure } from './charts.js';
import { lineChart } from './line-chart.js';
import { every, type View, type ViewContext } from './view.js';
import { card, field, pageHeading, select } from './widgets.js';

const PERIODS: { hours: string; label: string; bucket: 'minute' | 'hour' }[] = [
  { hours: '1', label: 'last hour, per minute', bucket: 'minute' },
  { hours: '6', label: 'last 6 hours, per minute', bucket: 'minute' },
  { hours: '24', label: 'last 24 hours, per hour', bucket: 'hour' },
  { hours: '168', label: 'last 7 days, per hour', bucket: 'hour' },
];
const REFRESH_MS = 30_000;

function timeLabelFor(series: TimeSeries): (time: Date) => string {
  if (series.bucket === 'minute' || series.period_hours <= 24)
    return (time) => time.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return (time) => time.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}

function sum(series: TimeSeries, pick: (bucket: TimeSeries['buckets'][number]) => number): number {
  return series.buckets.reduce((total, bucket) => total + pick(bucket), 0);
}

function charts(series: TimeSeries): HTMLElement {
  const times = series.buckets.map((bucket) => new Date(bucket.start));
  const timeLabel = timeLabelFor(series);
  const per = series.bucket;
  const seconds = (value: number) => duration(value);
  return h(
    'div',
    { class: 'activity-grid' },
    card(
      'In this period',
      h(
        'div',
        { class: 'figures' },
        figure(String(sum(series, (b) => b.created)), 'jobs created'),
        figure(String(sum(series, (b) => b.completed)), 'completed'),
        figure(String(sum(series, (b) => b.failed)), 'failed or timed out'),
        figure(String(series.buckets.at(-1)?.queue_depth ?? 0), 'waiting now'),
      ),
    ),
    card(
      `Jobs per ${per}`,
      lineChart(
        `Jobs created, completed and failed per ${per}`,
        [
          { label: 'created', values: series.buckets.map((b) => b.created), tone: 'created' },
          { label: 'completed', values: series.buckets.map((b) => b.completed), tone: 'completed' },
          { label: 'failed', values: series.buckets.map((b) => b.failed), tone: 'failed' },
        ],
        { times, timeLabel, integers: true },
      ),
    ),
    card(
      'Queue depth',
      lineChart(
        `Jobs waiting at the end of each ${per}`,
        [{ label: 'waiting', values: series.buckets.map((b) => b.queue_depth), tone: 'pending' }],
        { times, timeLabel, integers: true },
      ),
    ),
    card(
      'Processing time',
      lineChart(
        `Processing time of the jobs completed in each ${per}`,
        [
          { label: 'p50', values: series.buckets.map((b) => b.processing_time_seconds.p50), tone: 'p50' },
          { label: 'p95', values: series.buckets.map((b) => b.processing_time_seconds.p95), tone: 'p95' },
          { label: 'p99', values: series.buckets.map((b) => b.processing_time_seconds.p99), tone: 'p99' },
        ],
        { times, timeLabel, valueLabel: seconds, connectGaps: true },
      ),
    ),
  );
}

async function load(ctx: ViewContext, period: (typeof PERIODS)[number]): Promise<TimeSeries> {
  return ctx.client.get<TimeSeries>(
    `/api/presentations/jobs/statistics/timeseries${query({ hours: period.hours, bucket: period.bucket })}`,
    ctx.signal,
  );
}

export function activityView(params: URLSearchParams): View {
  return async (ctx) => {
    const period = PERIODS.find((p) => p.hours === params.get('hours')) ?? PERIODS[0]!;
    const choice = select(
      'hours',
      PERIODS.map((p) => [p.hours, p.label] as [string, string]),
      period.hours,
    );
    const form = h(
      'form',
      { class: 'toolbar', 'aria-label': 'Chart period' },
      field('Period', choice),
      h('button', { type: 'submit', class: 'button' }, 'Show'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      ctx.navigate(`${links.activity()}?hours=${choice.value}`);
    });
    const content = h('div', null, charts(await load(ctx, period)));
    every(REFRESH_MS, ctx.signal, async () => replaceChildren(content, charts(await load(ctx, period))));
    return h('section', { class: 'activity-view' }, pageHeading('Over time', form), content);
  };
}
