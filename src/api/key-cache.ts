/**
 * Remembers who an API key belongs to, so that a request does not look its key up: no round trip on
 * PostgreSQL, and on SQLite one tiny read instead of the key's join and hash check. An answer is
 * used only while the store's key revision is the one read before the lookup (any revoke, in any
 * process, changes it: a notification on PostgreSQL, a trigger-kept counter on SQLite) and for at
 * most `ttlMs`. Without a revision (PostgreSQL while its notification connection is down) every
 * request looks its key up. Wrong keys are never remembered, so guessing cannot fill the cache.
 * Callers that miss at once share one lookup of the key under the same revision: after a revoke
 * moves the revision, a thousand open event streams (key-watch.ts) or a burst of requests with one
 * key cost one lookup, not one each.
 */
import { hash } from 'node:crypto';
import type { Authenticator, Caller } from './caller.js';

export interface KeyCacheOptions {
  /** How long an answer may be used (0: never remember). */
  ttlMs: number;
  /** Entries kept; the oldest goes first. */
  maxEntries: number;
  /** Milliseconds clock (tests may fake it). */
  now?: () => number;
}

interface Remembered {
  caller: Readonly<Caller>;
  revision: number;
  expiresAt: number;
}

export class CachingAuthenticator implements Authenticator {
  readonly #lookup: Authenticator;
  readonly #revision: () => number | null;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** By the sha256 of the key, so the plain keys are not kept; insertion order is age. */
  readonly #entries = new Map<string, Remembered>();
  /** Lookups under way, by the sha256 of the key, with the revision read before each began. */
  readonly #inFlight = new Map<string, { revision: number; caller: Promise<Caller | null> }>();

  constructor(lookup: Authenticator, revision: () => number | null, options: KeyCacheOptions) {
    this.#lookup = lookup;
    this.#revision = revision;
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** A remembered answer at once; otherwise the lookup's promise. */
  authenticate(plainKey: string): Caller | null | Promise<Caller | null> {
    const revision = this.#ttlMs > 0 ? this.#revision() : null;
    if (revision === null) return this.#lookup.authenticate(plainKey);
    // One-shot hash: a third of createHash().update().digest()'s cost (no Hash object per request).
    const digest = hash('sha256', plainKey, 'base64');
    const remembered = this.#entries.get(digest);
    if (remembered && remembered.revision === revision && remembered.expiresAt > this.#now()) {
      return remembered.caller;
    }
    this.#entries.delete(digest);
    const flying = this.#inFlight.get(digest);
    if (flying && flying.revision === revision) return flying.caller;
    const caller = this.#lookUp(plainKey, digest, revision).finally(() => {
      if (this.#inFlight.get(digest)?.caller === caller) this.#inFlight.delete(digest);
    });
    this.#inFlight.set(digest, { revision, caller });
    return caller;
  }

  async #lookUp(plainKey: string, digest: string, revision: number): Promise<Caller | null> {
    const caller = await this.#lookup.authenticate(plainKey);
    if (caller)
      this.#remember(digest, {
        caller: Object.freeze(caller),
        revision,
        expiresAt: this.#now() + this.#ttlMs,
      });
    return caller;
  }

  #remember(digest: string, entry: Remembered): void {
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(digest, entry);
  }
}
