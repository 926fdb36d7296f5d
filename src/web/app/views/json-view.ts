/**
 * A JSON value as indented, coloured text: each object and array folds (closed from the start when
 * large), and a long string shows its start with a button for the rest, so a lesson's narration or a
 * big result does not push everything else off the page.
 */
import { h, type Child } from '../dom.js';

/** Strings longer than this show only their start until asked. */
export const LONG_STRING = 160;
const SHOWN_OF_LONG_STRING = 100;
/** Objects and arrays (but the outermost) with more entries than this start folded. */
const MANY_ENTRIES = 12;
/** Below this depth, objects and arrays start folded. */
const DEEP = 4;

function primitive(value: unknown): HTMLElement {
  if (typeof value === 'string') return stringValue(value);
  const kind = value === null ? 'null' : typeof value;
  return h('span', { class: `json-${kind}` }, JSON.stringify(value) ?? String(value));
}

function stringValue(value: string): HTMLElement {
  const text = JSON.stringify(value);
  if (value.length <= LONG_STRING) return h('span', { class: 'json-string' }, text);
  const shown = h(
    'span',
    { class: 'json-string' },
    `${JSON.stringify(value.slice(0, SHOWN_OF_LONG_STRING))}…`,
  );
  const more = h(
    'button',
    { type: 'button', class: 'json-more' },
    `show all ${value.length.toLocaleString('en')} characters`,
  );
  more.addEventListener('click', () => {
    shown.textContent = text;
    more.remove();
  });
  return h('span', { class: 'json-long' }, shown, ' ', more);
}

function entriesOf(value: object): [string | null, unknown][] {
  return Array.isArray(value)
    ? value.map((item): [null, unknown] => [null, item])
    : Object.entries(value as Record<string, unknown>);
}

function line(key: string | null, body: Child, comma: boolean): HTMLElement {
  return h(
    'div',
    { class: 'json-line' },
    key === null ? null : [h('span', { class: 'json-key' }, JSON.stringify(key)), ': '],
    body,
    comma ? ',' : null,
  );
}

function node(key: string | null, value: unknown, comma: boolean, depth: number): HTMLElement {
  if (value === null || typeof value !== 'object') return line(key, primitive(value), comma);
  const array = Array.isArray(value);
  const [open, close] = array ? ['[', ']'] : ['{', '}'];
  const entries = entriesOf(value);
  if (entries.length === 0) return line(key, `${open}${close}`, comma);
  const count = array
    ? `${entries.length} item${entries.length === 1 ? '' : 's'}`
    : `${entries.length} key${entries.length === 1 ? '' : 's'}`;
  return h(
    'details',
    { class: 'json-node', open: depth === 0 || (entries.length <= MANY_ENTRIES && depth < DEEP) },
    h(
      'summary',
      null,
      key === null ? null : [h('span', { class: 'json-key' }, JSON.stringify(key)), ': '],
      open,
      h('span', { class: 'json-folded' }, ` … ${count} ${close}${comma ? ',' : ''}`),
    ),
    h(
      'div',
      { class: 'json-entries' },
      entries.map(([k, v], i) => node(k, v, i < entries.length - 1, depth + 1)),
    ),
    h('div', { class: 'json-close' }, close, comma ? ',' : null),
  );
}

/** `value` as folding JSON text, labelled for assistive technology. */
export function jsonView(value: unknown, label: string): HTMLElement {
  return h('div', { class: 'json', role: 'group', 'aria-label': label }, node(null, value, false, 0));
}
