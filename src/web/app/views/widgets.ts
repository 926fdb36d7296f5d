/** Small pieces shared by the views: status badges, progress bars, facts lists, action buttons. */
import { h, type Child } from '../dom.js';
import type { JobWire } from '../api/types.js';

export function pageHeading(text: Child, ...extra: Child[]): HTMLElement {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, text), ...extra);
}

export function statusBadge(status: JobWire['status']): HTMLElement {
  return h('span', { class: `status status-${status}`, 'data-testid': 'job-status' }, status);
}

export function updateStatusBadge(badge: HTMLElement, status: JobWire['status']): void {
  badge.className = `status status-${status}`;
  badge.textContent = status;
}

/** A native <progress> (role progressbar) with the percentage beside it. */
export function progressBar(value: number, label: string): HTMLElement {
  const bar = h('progress', { max: '100', value: String(value), 'aria-label': label });
  return h('span', { class: 'progress' }, bar, h('span', { class: 'progress-text' }, `${value} %`));
}

export function updateProgressBar(wrapper: HTMLElement, value: number): void {
  const bar = wrapper.querySelector('progress');
  const text = wrapper.querySelector('.progress-text');
  if (bar) bar.setAttribute('value', String(value));
  if (text) text.textContent = `${value} %`;
}

/** A definition list from [term, value] pairs, skipping pairs whose value is null. */
export function facts(pairs: [string, Child][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    pairs
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([term, value]) => h('div', null, h('dt', null, term), h('dd', null, value))),
  );
}

export function card(title: string | null, ...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, title ? h('h2', null, title) : null, ...children);
}

/** A button that runs `action`, disabled while it runs; its error shows beside it until the next click. */
export function actionButton(
  label: string,
  action: () => Promise<void>,
  kind: 'primary' | 'danger' | 'plain' = 'plain',
): HTMLButtonElement {
  const button = h('button', { type: 'button', class: `button ${kind}` }, label);
  button.addEventListener('click', () => void runAction(button, action));
  return button;
}

/** Runs an action for a button or form: busy state while it runs, errors in an alert next to it. */
export async function runAction(anchor: HTMLElement, action: () => Promise<void>): Promise<void> {
  const button = anchor instanceof HTMLButtonElement ? anchor : anchor.querySelector('button');
  const container = anchor instanceof HTMLFormElement ? anchor : (anchor.parentElement ?? anchor);
  container.querySelector(':scope > .inline-error')?.remove();
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    await action();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    container.append(h('p', { class: 'inline-error', role: 'alert' }, message));
  } finally {
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}

export function select(
  name: string,
  options: readonly (string | [value: string, label: string])[],
  selected: string,
  props: Record<string, unknown> = {},
): HTMLSelectElement {
  return h(
    'select',
    { name, id: props.id ?? name, ...props },
    options.map((option) => {
      const [value, label] = typeof option === 'string' ? [option, option] : option;
      return h('option', { value, selected: value === selected }, label);
    }),
  );
}

/** A label wrapping its control, so clicking the text focuses the control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label' }, label),
    control,
    hint ? h('span', { class: 'hint' }, hint) : null,
  );
}
