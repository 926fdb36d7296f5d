/** What every view gets: the API, the caller, and a signal that aborts when the user leaves it. */
import type { ApiClient } from '../api/client.js';
import type { Me } from '../api/types.js';

export interface ViewContext {
  client: ApiClient;
  me: Me;
  /** Aborted when the user navigates away: stop timers, streams and pending fetches. */
  signal: AbortSignal;
  navigate(hash: string): void;
  /** A short message in the page's live region ("Cancelled 2 jobs"). */
  announce(message: string): void;
}

export type View = (ctx: ViewContext) => Promise<Node>;

/** Runs `tick` every `ms` until the view is left; a failing tick is reported, not fatal. */
export function every(ms: number, signal: AbortSignal, tick: () => Promise<void>): void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    tick().finally(() => (running = false));
  }, ms);
  signal.addEventListener('abort', () => clearInterval(timer));
}
