/** Horizontal bar charts as inline SVG: one labelled bar per value, scaled to the largest. */
import { h, svg } from '../dom.js';

export interface Bar {
  label: string;
  value: number;
  /** Shown at the bar's end instead of the raw value. */
  text?: string;
  /** A CSS class for the bar's colour (e.g. the status name). */
  tone?: string;
}

const ROW = 26;
const LABEL_WIDTH = 110;
const WIDTH = 420;

export function barChart(title: string, bars: Bar[]): HTMLElement {
  const max = Math.max(0, ...bars.map((bar) => bar.value)) || 1;
  const track = WIDTH - LABEL_WIDTH - 70;
  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${WIDTH} ${bars.length * ROW}`,
      class: 'bars',
      role: 'img',
      'aria-label': `${title}: ${bars.map((bar) => `${bar.label} ${bar.text ?? bar.value}`).join(', ')}`,
    },
    bars.map((bar, i) => {
      const y = i * ROW;
      const width = bar.value > 0 ? Math.max(2, (bar.value / max) * track) : 0;
      return svg(
        'g',
        null,
        svg('text', { x: 0, y: y + 17, class: 'bar-label' }, bar.label),
        svg('rect', { x: LABEL_WIDTH, y: y + 5, width: track, height: 16, rx: 3, class: 'bar-track' }),
        svg('rect', {
          x: LABEL_WIDTH,
          y: y + 5,
          width,
          height: 16,
          rx: 3,
          class: `bar bar-${bar.tone ?? 'default'}`,
        }),
        svg(
          'text',
          { x: LABEL_WIDTH + track + 8, y: y + 17, class: 'bar-value' },
          bar.text ?? String(bar.value),
        ),
      );
    }),
  );
  return h('figure', { class: 'chart' }, h('figcaption', null, title), chart);
}

/** A big number with a caption: "3.2 % failure rate". */
export function figure(value: string, caption: string): HTMLElement {
  return h(
    'div',
    { class: 'figure' },
    h('span', { class: 'figure-value' }, value),
    h('span', { class: 'figure-caption' }, caption),
  );
}
