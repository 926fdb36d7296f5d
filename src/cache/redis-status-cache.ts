/**
 * Job status reads cached in Redis (REDIS_URL, STATUS_CACHE_SECONDS), safe against every
 * interleaving of reads and writes on any number of nodes.
 *
 * Each cached entry is tagged with three tokens read before the database was: the job's generation,
 * the cache's epoch and, for a pending job (whose queue position other jobs' writes change), the
 * queue's generation. A write, once committed, gives its jobs (and the queue, when it may have
 * changed the pending jobs) a new random token; a cleanup gives the whole cache a new epoch. A hit
 * counts only while all its tokens are still current, so an entry filled from a read that started
 * before a write (and lost the race to Redis) is never served after that write's tokens landed: a
 * read is at most as stale as the time a committed write takes to reach Redis.
 *
 * Redis away costs speed only: a lookup that fails or takes too long reads the database; a write
 * whose tokens could not be changed is remembered, and this process answers from the database until
 * it has given the cache a new epoch. A process that dies between its commit and Redis, or writes
 * without REDIS_URL, leaves entries that expire after STATUS_CACHE_SECONDS.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { PARENT_ERROR_CODES } from '../jobs/model.js';
import type { PositionedJob } from '../jobs/store.js';
import { jobFromJson, type JobJson } from './job-json.js';
import { LuaScript } from './lua-script.js';
import { RedisOutageLog, type RedisConnection } from './redis.js';

/** A Redis command that has not answered within this counts as failed (the database answers). */
const REDIS_TIMEOUT_MS = 1000;
/**
 * Tokens outlive every entry (STATUS_CACHE_SECONDS is at most an hour). A token lost early (evicted)
 * only costs misses: it is replaced by a new one that no entry carries.
 */
const TOKEN_SECONDS = 2 * 3600;

/** The tokens current when a read started: an entry filled from that read carries them. */
export interface EntryTags {
  readonly generation: string;
  readonly epoch: string;
  readonly queue: string;
}

export type StatusLookup =
  | { readonly state: 'hit'; readonly found: PositionedJob }
  | { readonly state: 'miss'; readonly tags: EntryTags }
  /** Redis is away, or may hold entries older than a write of this process: read, do not fill. */
  | { readonly state: 'bypass' };

interface Entry {
  tags: EntryTags;
  job: JobJson;
  queuePosition: number | null;
}

// KEYS: tokens. ARGV: a fresh token, its lifetime. Answers each token, creating those that are
// missing (never set, expired, evicted), so a miss always has tags to fill with.
const CURRENT_TOKENS = new LuaScript(`
local tokens = {}
for i = 1, #KEYS do
  local token = redis.call('GET', KEYS[i])
  if not token then
    token = ARGV[1]
    redis.call('SET', KEYS[i], token, 'EX', ARGV[2])
  end
  tokens[i] = token
end
return tokens
`);

// KEYS: queue generation, then entry and job generation of each job. ARGV: the new token, its
// lifetime, '1' when the write may have changed the pending jobs.
const INVALIDATE = new LuaScript(`
for i = 2, #KEYS, 2 do
  redis.call('SET', KEYS[i + 1], ARGV[1], 'EX', ARGV[2])
  redis.call('DEL', KEYS[i])
end
if ARGV[3] == '1' then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return #KEYS
`);

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis ${what} took over ${REDIS_TIMEOUT_MS} ms`)),
      REDIS_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export class RedisStatusCache {
  readonly #redis: RedisConnection;
  readonly #entrySeconds: number;
  readonly #outage: RedisOutageLog;
  readonly #epochKey: string;
  readonly #queueKey: string;
  /** Writes whose tokens did not reach Redis, and how many of them a new epoch has covered. */
  #unsettled = 0;
  #settled = 0;
  /** Lookups asked for since the last MGET went out. */
  readonly #waiting: { id: string; resolve: (lookup: StatusLookup) => void }[] = [];

  constructor(redis: RedisConnection, entrySeconds: number, logger: Logger) {
    this.#redis = redis;
    this.#entrySeconds = entrySeconds;
    this.#epochKey = `${redis.namespace}:status-epoch`;
    this.#queueKey = `${redis.namespace}:status-queue`;
    this.#outage = new RedisOutageLog(
      redis,
      logger,
      'job status reads go to the database',
      'job status reads are cached again',
    );
    redis.commands.on('ready', () => void this.#settle());
  }

  /**
   * The job's entry if it is current, else the tags to fill it with. The lookups asked for in one
   * turn of the event loop share one MGET (entries and tokens read at one instant), as the
   * database's status reads share one statement.
   */
  async lookup(id: string): Promise<StatusLookup> {
    if (this.#unsettled > this.#settled && !(await this.#settle())) return { state: 'bypass' };
    return new Promise((resolve) => {
      this.#waiting.push({ id, resolve });
      if (this.#waiting.length === 1) setImmediate(() => void this.#lookUpWaiting());
    });
  }

  async #lookUpWaiting(): Promise<void> {
    const waiting = this.#waiting.splice(0);
    const ids = [...new Set(waiting.map((w) => w.id))];
    let answers: Map<string, StatusLookup>;
    try {
      answers = await within(this.#lookUp(ids), 'status lookup');
      this.#outage.up();
    } catch (error) {
      this.#outage.down(error);
      answers = new Map();
    }
    for (const { id, resolve } of waiting) resolve(answers.get(id) ?? { state: 'bypass' });
  }

  async #lookUp(ids: readonly string[]): Promise<Map<string, StatusLookup>> {
    const keys = [
      this.#epochKey,
      this.#queueKey,
      ...ids.flatMap((id) => [this.#entryKey(id), this.#generationKey(id)]),
    ];
    const values = await this.#redis.commands.mget(keys);
    const [epoch, queue] = values;
    const answers = new Map<string, StatusLookup>();
    const missing: string[] = [];
    ids.forEach((id, i) => {
      const [text, generation] = [values[2 + 2 * i], values[3 + 2 * i]];
      if (!epoch || !queue || !generation) return void missing.push(id);
      const tags = { generation, epoch, queue };
      const entry = text ? (JSON.parse(text) as Entry) : null;
      answers.set(
        id,
        entry && isCurrent(entry, tags)
          ? { state: 'hit', found: { job: jobFromJson(entry.job), queuePosition: entry.queuePosition } }
          : { state: 'miss', tags },
      );
    });
    // A token was missing: an entry read with it cannot be current; the new tokens tag the fills.
    if (missing.length > 0) {
      const tokenKeys = [this.#epochKey, this.#queueKey, ...missing.map((id) => this.#generationKey(id))];
      const tokens = (await CURRENT_TOKENS.run(this.#redis.commands, tokenKeys, [
        randomUUID(),
        TOKEN_SECONDS,
      ])) as string[];
      missing.forEach((id, i) =>
        answers.set(id, {
          state: 'miss',
          tags: { epoch: tokens[0]!, queue: tokens[1]!, generation: tokens[2 + i]! },
        }),
      );
    }
    return answers;
  }

  /** Caches what a read that started with `tags` found; never waited for, never fails the read. */
  fill(id: string, found: PositionedJob, tags: EntryTags): void {
    const entry = JSON.stringify({ tags, job: found.job, queuePosition: found.queuePosition });
    this.#redis.commands
      .set(this.#entryKey(id), entry, 'EX', this.#entrySeconds)
      .catch((error: unknown) => this.#outage.down(error));
  }

  /**
   * Makes every entry of these jobs stale (and of every pending job, with `queueChanged`); call once
   * the write committed, and wait for it before telling anyone the write is done. Never rejects.
   */
  async invalidate(ids: readonly string[], queueChanged: boolean): Promise<void> {
    if (ids.length === 0 && !queueChanged) return;
    const keys = [this.#queueKey, ...ids.flatMap((id) => [this.#entryKey(id), this.#generationKey(id)])];
    await this.#tokenChange(
      INVALIDATE.run(this.#redis.commands, keys, [randomUUID(), TOKEN_SECONDS, queueChanged ? '1' : '0']),
    );
  }

  /** Makes every entry stale (a cleanup deleted or changed jobs it does not name). Never rejects. */
  async invalidateAll(): Promise<void> {
    await this.#tokenChange(this.#newEpoch());
  }

  async #tokenChange(change: Promise<unknown>): Promise<void> {
    try {
      await within(change, 'invalidation');
      this.#outage.up();
    } catch (error) {
      this.#unsettled++;
      this.#outage.down(error);
    }
  }

  /** A new epoch once writes failed to reach Redis: true when every such write is covered. */
  async #settle(): Promise<boolean> {
    const upTo = this.#unsettled;
    if (upTo === this.#settled) return true;
    try {
      await within(this.#newEpoch(), 'new epoch');
    } catch (error) {
      this.#outage.down(error);
      return false;
    }
    this.#settled = Math.max(this.#settled, upTo);
    return this.#unsettled === this.#settled;
  }

  #newEpoch(): Promise<unknown> {
    return this.#redis.commands.set(this.#epochKey, randomUUID(), 'EX', TOKEN_SECONDS);
  }

  #entryKey(id: string): string {
    return `${this.#redis.namespace}:status:${id}`;
  }

  #generationKey(id: string): string {
    return `${this.#redis.namespace}:status-generation:${id}`;
  }
}

function isCurrent(entry: Entry, now: EntryTags): boolean {
  return (
    entry.tags.generation === now.generation &&
    entry.tags.epoch === now.epoch &&
    (!movedByOthers(entry.job) || entry.tags.queue === now.queue)
  );
}

/**
 * Whether other jobs' writes may change this entry without naming it: a pending job's queue
 * position; a waiting job, or one its parent failed or cancelled, whose status a parent's
 * completion, failure, cancel or retry changes (by trigger, migration 0030). Every such write
 * renews the queue's generation.
 */
function movedByOthers(job: Entry['job']): boolean {
  return (
    job.status === 'pending' ||
    job.status === 'waiting' ||
    (PARENT_ERROR_CODES as readonly (string | null)[]).includes(job.errorCode)
  );
}
