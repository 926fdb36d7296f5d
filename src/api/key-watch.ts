/**
 * Keeps checking, while responses stream, that the API keys they were opened with still admit their
 * callers. A request is authenticated once, when it arrives; an event stream can then stay open for
 * hours, so without this a revoked key (or one whose user may no longer see the job) would keep
 * receiving events. One timer per API process checks each distinct key once per tick, however many
 * streams use it, through the same authenticator as every request: a key remembered under an
 * unchanged key revision costs a hash, and any revoke, in any process, changes the revision, so the
 * next tick looks the key up again.
 */
import type { Logger } from '../logger.js';
import type { Authenticator, Caller } from './caller.js';
import type { HttpErrorCode } from './http-errors.js';

/** How often open streams check their keys: a revoke ends a stream within about this long. */
export const KEY_RECHECK_MS = 1000;

export interface KeyLoss {
  code: HttpErrorCode;
  message: string;
}

interface Watch {
  /** Whether the caller the key now belongs to may still see what is streamed. */
  admits: (caller: Caller) => boolean;
  /** Called once, when the key no longer admits the stream; the watch has ended by then. */
  onLost: (loss: KeyLoss) => void;
}

export class KeyWatcher {
  readonly #authenticator: Authenticator;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  /** The watches of open streams, by key. */
  readonly #byKey = new Map<string, Set<Watch>>();
  #timer: NodeJS.Timeout | null = null;
  #checking = false;

  constructor(authenticator: Authenticator, logger: Logger, intervalMs = KEY_RECHECK_MS) {
    this.#authenticator = authenticator;
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  /** Watches `key` for one stream until the returned function is called or the key is lost. */
  watch(key: string, admits: Watch['admits'], onLost: Watch['onLost']): () => void {
    const watch: Watch = { admits, onLost };
    const watches = this.#byKey.get(key) ?? new Set<Watch>();
    watches.add(watch);
    this.#byKey.set(key, watches);
    this.#timer ??= setInterval(() => void this.#tick(), this.#intervalMs).unref();
    return () => this.#end(key, watch);
  }

  close(): void {
    this.#byKey.clear();
    this.#stopTimer();
  }

  #end(key: string, watch: Watch): void {
    const watches = this.#byKey.get(key);
    if (!watches?.delete(watch)) return;
    if (watches.size === 0) this.#byKey.delete(key);
    if (this.#byKey.size === 0) this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #tick(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      await Promise.all([...this.#byKey.keys()].map((key) => this.#check(key)));
    } finally {
      this.#checking = false;
    }
  }

  async #check(key: string): Promise<void> {
    let caller: Caller | null;
    try {
      caller = await this.#authenticator.authenticate(key);
    } catch (error) {
      // A failed lookup (the database away) keeps the streams: the key was valid when last checked.
      this.#logger.warn({ err: error }, 'checking the key of event streams failed; will try again');
      return;
    }
    for (const watch of this.#byKey.get(key) ?? []) {
      const loss: KeyLoss | null = !caller
        ? { code: 'UNAUTHORIZED', message: 'This API key was revoked' }
        : watch.admits(caller)
          ? null
          : { code: 'FORBIDDEN', message: 'This API key may no longer see this job' };
      if (!loss) continue;
      this.#end(key, watch);
      watch.onLost(loss);
    }
  }
}
