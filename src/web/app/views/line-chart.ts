/**
 * Line charts as inline SVG, one line per series over the same time buckets (Sidekiq's dashboard
 * graphs): a y axis from 0 to a round maximum, a few time labels, a legend, and a gap where a
 * value is missing (a bucket with no completed job has no percentile).
 */
import { h, svg } from '../dom.js';

export interface Series {
  label: string;
  /** One value per bucket; null leaves a gap. */
  values: (number | null)[];
  /** A CSS class for the line's colour. */
  tone: string;
}

export interface LineChartOptions {
  /** The buckets' start times, as the x axis. */
  times: Date[];
  /** How an x label reads ("14:05", "Mon 14:00"). */
  timeLabel: (time: Date) => string;
  /** How a y value reads on the axis ("12", "3.5 s"). */
  valueLabel?: (value: number) => string;
  /** Counts: the axis's middle mark is a whole number too. */
  integers?: boolean;
  /** Draw across missing values (percentiles of buckets with no completed job) instead of a gap. */
  connectGaps?: boolean;
}

const WIDTH = 640;
const HEIGHT = 200;
const LEFT = 56;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 24;
const X_LABELS = 4;

/** 1, 2 or 5 times a power of ten, at least `value` (at least 1). */
export function roundMaximum(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** The series' points as path commands: a new segment after each gap, unless gaps are bridged. */
function pathOf(
  values: (number | null)[],
  x: (i: number) => number,
  y: (v: number) => number,
  bridgeGaps: boolean,
): string {
  let d = '';
  let drawing = false;
  values.forEach((value, i) => {
    if (value === null) {
      if (!bridgeGaps) drawing = false;
      return;
    }
    d += `${drawing ? 'L' : 'M'}${x(i).toFixed(1)},${y(value).toFixed(1)}`;
    drawing = true;
  });
  return d;
}

export function lineChart(title: string, series: Series[], options: LineChartOptions): HTMLElement {
  const { times, timeLabel } = options;
  const valueLabel = options.valueLabel ?? ((value: number) => String(value));
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const rounded = roundMaximum(Math.max(0, ...all));
  const max = options.integers && rounded % 2 === 1 ? rounded + 1 : rounded;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (i: number) => LEFT + (times.length > 1 ? (i / (times.length - 1)) * plotWidth : plotWidth / 2);
  const y = (v: number) => TOP + plotHeight - (v / max) * plotHeight;
  const step = Math.max(1, Math.ceil(times.length / X_LABELS));
  const xTicks = times.map((time, i) => ({ time, i })).filter(({ i }) => i % step === 0);
  const summary = series
    .map((s) => {
      const values = s.values.filter((v): v is number => v !== null);
      return values.length === 0
        ? `${s.label}: no data`
        : `${s.label}: latest ${valueLabel(values.at(-1) ?? 0)}, highest ${valueLabel(Math.max(...values))}`;
    })
    .join('; ');

  const chart = svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'lines', role: 'img', 'aria-label': `${title}. ${summary}` },
    [0, 0.5, 1].map((share) =>
      svg(
        'g',
        null,
        svg('line', {
          x1: LEFT,
          x2: WIDTH - RIGHT,
          y1: y(max * share),
          y2: y(max * share),
          class: share === 0 ? 'axis' : 'grid',
        }),
        svg(
          'text',
          { x: LEFT - 6, y: y(max * share) + 4, class: 'tick', 'text-anchor': 'end' },
          valueLabel(max * share),
        ),
      ),
    ),
    xTicks.map(({ time, i }) =>
      svg(
        'text',
        { x: x(i), y: HEIGHT - 6, class: 'tick', 'text-anchor': i === 0 ? 'start' : 'middle' },
        timeLabel(time),
      ),
    ),
    // The first series on top and thinnest, the others wider beneath it, so equal values all show.
    [...series.entries()].reverse().map(([index, s]) =>
      svg(
        'g',
        { class: `line-${s.tone}`, 'data-series': s.label },
        svg('path', {
          d: pathOf(s.values, x, y, options.connectGaps ?? false),
          class: `line line-w${Math.min(index, 3)}`,
        }),
        // A value with no neighbour draws no line: a dot shows it.
        s.values.map((value, i) =>
          value !== null &&
          (options.connectGaps
            ? s.values.filter((v) => v !== null).length === 1
            : (s.values[i - 1] ?? null) === null && (s.values[i + 1] ?? null) === null)
            ? svg('circle', { cx: x(i), cy: y(value), r: 3, class: 'dot' })
            : null,
        ),
      ),
    ),
  );
  const legend = h(
    'ul',
    { class: 'legend' },
    series.map((s) => h('li', null, h('span', { class: `swatch line-${s.tone}` }), s.label)),
  );
  return h('figure', { class: 'chart line-chart' }, h('figcaption', null, title), legend, chart);
}
