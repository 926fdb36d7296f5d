/**
 * The worker: claims jobs of the kinds it handles, runs their handlers with an AbortSignal and a
 * progress function, keeps their leases alive with one batched heartbeat, and writes the outcome —
 * every write fenced on the lease it holds.
 *
 * Wake-ups come from the store (LISTEN/NOTIFY, Redis or an in-process signal), with jittered polling
 * as the backstop. A wake-up that says how many jobs it announces is answered by only a few of the
 * idle workers of a fleet (wake-up-lottery.ts), and one for jobs of a kind this worker does not
 * handle by none of its claims.
 *
 * Jobs that fall due later (a retry's delay, a `run_at` ahead) are not the business of the process
 * that wrote them alone: the worker arms a timer of its own for the next due time, which it hears
 * from a `t:` wake-up at their write or reads from the database after a claim that found nothing.
 * When it fires and no wake-up announced the jobs meanwhile (their writer stopped), it answers it as
 * a counted wake-up: through the lottery, so that a fleet does not all claim at the due time.
 *
 * Claim-ahead: when handlers are fast, one claim per free slot would make the database round trip the
 * bottleneck, so the worker also claims the jobs it expects to start within `prefetchWindowMs` (from
 * a running average of handler durations, at most `prefetchLimit`) and keeps them, leased and
 * heartbeated, in a local queue. Slow handlers (renders) get no claim-ahead at all: no job waits
 * behind a busy worker while another one is idle.
 *
 * Jobs claimed ahead hold a short lease (`claimAheadLeaseSeconds`: two heartbeats, at most the
 * lease), renewed to that by every heartbeat while they wait: if the worker dies, the hundreds it
 * holds come back after a few seconds, not a whole lease. A claim that may queue jobs takes the short
 * lease for all of them; a job that starts on one is renewed to the full lease soon after it starts
 * (`PROMOTE_AFTER_MS`, one write for every job started meanwhile, none for those already finished),
 * and its short lease still has at least a heartbeat to run then.
 *
 * `stop()` stops claiming at once, releases the jobs claimed ahead, lets running jobs finish within
 * the grace period, then releases the rest without using up an attempt.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { describeError, isReelqueueError, ReelqueueError, type ErrorCode } from '../errors.js';
import { isDatabaseUnavailable, outageCode } from '../db/outage.js';
import { leaseLost } from './store-errors.js';
import type { Logger } from '../logger.js';
import { WaitForJobs, type KindRegistry } from './kinds.js';
import { leaseOf, type Job, type JsonObject, type Lease } from './model.js';
import { retryDelaySeconds, type RetryPolicy } from './retry-policy.js';
import type { AvailableJobs, Completion, JobStore } from './store.js';
import { WakeUpLottery } from './wake-up-lottery.js';
import { JobAbort } from './job-abort.js';
import { RunningJobContext, type ParentReader, type ProgressWriter } from './job-context.js';
import { readParentResults } from './dependencies.js';
import { WriteBatcher } from './write-batcher.js';
import { currentProcessIdentity } from './process-identity.js';
import { recordableIdentity } from './worker-processes.js';

export interface WorkerSettings {
  concurrency: number;
  heartbeatSeconds: number;
  leaseSeconds: number;
  pollIntervalMs: number;
  shutdownGraceSeconds: number;
  abortGraceSeconds: number;
  retryPolicy: RetryPolicy;
  /** Only these kinds are claimed; default: every kind in the registry. */
  kinds?: readonly string[];
  /** Most jobs claimed ahead of a free slot (0: none). */
  prefetchLimit: number;
  /** CLEAR_LESSON_TEXT_AFTER_SUCCESS: a completed presentation job's lesson text is removed. */
  clearLessonTextAfterSuccess?: boolean;
  /** Claim ahead the jobs expected to start within this many milliseconds. */
  prefetchWindowMs: number;
}

export interface WorkerOptions extends WorkerSettings {
  store: JobStore;
  registry: KindRegistry;
  logger: Logger;
  workerId?: string;
  /** Which wake-ups to answer with a claim; tests pass one with a fixed random source. */
  lottery?: WakeUpLottery;
}

export type JobOutcome =
  | 'completed'
  | 'failed'
  | 'retry_scheduled'
  | 'timeout'
  | 'cancelled'
  | 'released'
  | 'lease_lost'
  /** The handler handed the worker back to wait for jobs it started (`JobContext.waitFor`). */
  | 'waiting';

export interface WorkerEvents {
  started: [job: Job];
  finished: [job: Job, outcome: JobOutcome];
}

/** Errors that no retry can fix: the job fails at once. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  'INVALID_PAYLOAD',
  'VALIDATION_FAILED',
  'UNKNOWN_KIND',
  // Its segment already used up its own retries.
  'SPLIT_SEGMENT_FAILED',
]);
/** A job started on a short (claim-ahead) lease is renewed to the full lease this soon after. */
const PROMOTE_AFTER_MS = 200;
/**
 * Why a worker claimed: its start, a counted wake-up the lottery drew, a wake-up without a count
 * (answered by every idle worker), its poll, a handler having returned (its slot is free), room freed
 * otherwise (a job settled unstarted, outcome writes caught up), or its last claim filled every
 * room it asked for (there may be more).
 */
export type ClaimReason =
  'start-up' | 'wake-up' | 'uncounted-wake-up' | 'poll' | 'job-finished' | 'room-freed' | 'batch-full';

/** The longest pause between claims while the database refuses them (or the poll interval, if longer). */
const MAX_CLAIM_BACKOFF_MS = 10_000;
/**
 * A due timer fires this long after the due time, and stands down if a wake-up for this worker's
 * kinds came meanwhile (or this long before): the writer's own wake-up at the due time announced
 * the jobs, and answering twice would double the claims.
 */
const DUE_GRACE_MS = 250;
/**
 * After a claim that found nothing, the next due time is read at most this often: an idle fleet's
 * polls are empty claims (100 processes polling each second), and the `t:` wake-ups tell of new due
 * times anyway; the read is for those a wake-up did not tell (a writer that crashed before sending
 * it, a LISTEN session that was down, `WAKE_UPS=redis`).
 */
const DUE_READ_INTERVAL_MS = 5_000;
/** A due time further ahead is read again after this long (timers overflow past 24.8 days). */
const MAX_DUE_TIMER_MS = 3_600_000;
/** Weight of the newest handler duration in the running average. */
const DURATION_WEIGHT = 0.1;

/** What a handler came to: its result, what it threw, or null (aborted, and past its grace period). */
type Settled = { ok: true; result: JsonObject } | { ok: false; error: unknown } | null;

/** `done` of a job that has not started: shared, not one resolved promise per claimed job. */
const NOT_STARTED: Promise<void> = Promise.resolve();

interface RunningJob {
  job: Job;
  lease: Lease;
  abort: JobAbort;
  /** Settles once the outcome is written (or given up on). */
  done: Promise<void>;
  /** The handler returned; only the outcome write is left. */
  handlerDone: boolean;
  /** Its lease is the short claim-ahead one: renew it to the full lease once the job starts. */
  shortLease: boolean;
}

/**
 * How long a run may take: the job's timeout, or what its attempt's deadline leaves of it when less
 * (a job back from waiting for the jobs it started: the timeout counts from the attempt's first run,
 * the wait included). Both times are the database's, read by the claim.
 */
export function runTimeoutMs(job: Job): number {
  const full = job.timeoutSeconds * 1000;
  if (job.deadlineAt === null || job.startedAt === null) return full;
  return Math.max(0, Math.min(full, job.deadlineAt.getTime() - job.startedAt.getTime()));
}

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export class Worker extends EventEmitter<WorkerEvents> {
  readonly id: string;
  readonly #store: JobStore;
  readonly #registry: KindRegistry;
  readonly #logger: Logger;
  readonly #settings: WorkerSettings;
  readonly #kinds: readonly string[];
  readonly #running = new Map<string, RunningJob>();
  /** Claimed ahead, not started yet, in claim order; each holds its lease like a running job. */
  readonly #queued = new Map<string, RunningJob>();
  /** Running average of handler durations in ms; null until a handler has returned. */
  #handlerMs: number | null = null;
  readonly #unsubscribe: (() => void)[] = [];
  #state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  #claiming = false;
  #claimAgain = false;
  /** Claims that failed in a row: the next poll waits longer each time (a refusing database). */
  #claimFailures = 0;
  #pollTimer: NodeJS.Timeout | null = null;
  /** The next due time this worker knows of (performance.now()), its timer, and the jobs then. */
  #due: { at: number; jobs: number; timer: NodeJS.Timeout } | null = null;
  /** When this worker last heard a wake-up for its kinds of jobs claimable now (performance.now()). */
  #heardAt = -Infinity;
  /** A read of the next due time is in flight. */
  #learningDue = false;
  /** When the last read of the next due time started (performance.now()). */
  #dueReadAt = -Infinity;
  /**
   * Jobs may fall due after the armed time that no timer waits for: a later due time was left for
   * the armed one, or it was read from the database (which says only the first). Read again when
   * it fires; otherwise the `t:` wake-ups told of every one, and a fleet need not read each time.
   */
  #dueLater = false;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #heartbeating: Promise<void> | null = null;
  #promoteTimer: NodeJS.Timeout | null = null;
  /** Settles once this worker's process record is written (or could not be: then leases only). */
  #registered: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | null = null;
  #wakeScheduled = false;
  /**
   * A claim round found no room because too many outcome writes were still waited for: the next
   * write to finish claims again. Otherwise a finished write frees no room (the slot freed when the
   * handler returned, and that claimed), and claiming then only made an idle fleet's winner claim
   * twice after each job, the second time for nothing (issue 29).
   */
  #roomHeldByWrites = false;
  /** The next claim answers a wake-up the lottery drew: what it finds teaches the lottery. */
  #answeringWakeUp = false;
  /** The next claim answers a poll. */
  #answeringPoll = false;
  /** Jobs announced by the wake-ups the next claim answers (drawn since the last claim). */
  #answeringJobs = 0;
  /**
   * Jobs this worker's own claims took ahead of their wake-ups: found by a claim that answered no
   * wake-up (the claim after a job, a poll, the start-up claim) or beyond the count the answered
   * wake-ups announced. The wake-ups of those jobs are still to come, and an empty answer to one of
   * them is this worker's own claim having taken the job, not a peer's: no reason to answer less
   * (a lone worker otherwise halved its chance and left jobs to its poll). Counting them, rather
   * than excusing any empty answer after a find, keeps a fleet's winners from answering more than
   * their share: a find by answering a one-job wake-up excuses nothing (issue 29).
   */
  #jobsAhead = 0;
  /** Why the next claim is made, when no answered wake-up or poll says (first reason wins). */
  #claimReason: ClaimReason | null = null;
  readonly #claims: Record<ClaimReason, number> = {
    'start-up': 0,
    'wake-up': 0,
    'uncounted-wake-up': 0,
    poll: 0,
    'job-finished': 0,
    'room-freed': 0,
    'batch-full': 0,
  };
  readonly #lottery: WakeUpLottery;
  #activeHandlers = 0;
  readonly #completions: WriteBatcher<Completion, boolean>;
  readonly #writeProgress: ProgressWriter;
  readonly #readParents: ParentReader;

  constructor(options: WorkerOptions) {
    super();
    this.id = options.workerId ?? newWorkerId();
    this.#store = options.store;
    this.#registry = options.registry;
    this.#logger = options.logger.child({ workerId: this.id });
    this.#settings = options;
    this.#kinds = options.kinds ?? options.registry.names();
    this.#lottery = options.lottery ?? new WakeUpLottery();
    this.#completions = new WriteBatcher((items) => this.#store.completeMany(items));
    this.#writeProgress = (lease, update) => this.#store.reportProgress(lease, update);
    this.#readParents = (jobId) => readParentResults(this.#store, jobId);
    for (const kind of this.#kinds) options.registry.get(kind);
  }

  /** Started and not stopping: it claims jobs. */
  get isRunning(): boolean {
    return this.#state === 'running';
  }

  get runningCount(): number {
    return this.#running.size;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'running';
    this.#registered = this.#register();
    this.#unsubscribe.push(this.#store.onJobAvailable((jobs) => this.#heard(jobs)));
    this.#unsubscribe.push(
      this.#store.onCancelRequested((jobId) => {
        const running = this.#running.get(jobId) ?? this.#queued.get(jobId);
        if (!running) return;
        this.#abort(running, 'JOB_CANCELLED', running.job.cancelReason ?? 'Cancelled on request');
        this.#settleQueued(running);
      }),
    );
    this.#scheduleHeartbeat();
    this.#logger.info({ kinds: this.#kinds, concurrency: this.#settings.concurrency }, 'worker started');
    this.#wake('start-up');
  }

  /** Jobs that finish in the same tick free their slots together: one claim for all of them. */
  #wakeSoon(reason: ClaimReason): void {
    this.#claimReason ??= reason;
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    setImmediate(() => {
      this.#wakeScheduled = false;
      this.#wake(reason);
    });
  }

  /**
   * A wake-up: jobs of another kind are none of this worker's business; for its own, it claims if
   * the lottery draws it (always when the wake-up does not say how many jobs). A busy worker the
   * lottery passes over still claims once a slot frees, as it always does.
   */
  #heard(jobs: AvailableJobs | undefined): void {
    if (this.#state !== 'running') return;
    if (jobs?.kind != null && !this.#kinds.includes(jobs.kind)) return;
    if (jobs?.dueInMs !== undefined && jobs.dueInMs > 0) {
      this.#armDue(jobs.dueInMs, jobs.count);
      return;
    }
    this.#heardAt = performance.now();
    this.#draw(jobs);
  }

  /** Claims for a wake-up (or a due timer) if the lottery draws this worker. */
  #draw(jobs: AvailableJobs | undefined): void {
    if (!this.#lottery.answers(jobs?.count ?? null)) return;
    if (jobs !== undefined) {
      this.#answeringWakeUp = true;
      this.#answeringJobs += jobs.count;
    }
    this.#wake(jobs === undefined ? 'uncounted-wake-up' : 'wake-up');
  }

  /**
   * Arms the due timer for `jobs` jobs falling due in `inMs` (0: how many is not known, one at
   * least), unless one is armed as early already: one timer, the earliest; the later ones are read
   * again after it fires.
   */
  #armDue(inMs: number, jobs: number): void {
    if (this.#state !== 'running') return;
    const at = performance.now() + inMs;
    // Read from the database: there may be more after it.
    if (jobs === 0) this.#dueLater = true;
    if (this.#due) {
      // Within a few ms of the armed one: the same wake-up (bucketed as the writer's timers are).
      if (Math.abs(this.#due.at - at) <= 20) {
        this.#due.jobs += jobs;
        return;
      }
      this.#dueLater = true;
      if (this.#due.at < at) return;
      clearTimeout(this.#due.timer);
    }
    const timer = setTimeout(() => this.#dueTimeCame(), Math.min(inMs + DUE_GRACE_MS, MAX_DUE_TIMER_MS));
    timer.unref();
    this.#due = { at, jobs, timer };
  }

  /**
   * The due time came: unless a wake-up announced jobs for this worker around it, the jobs are
   * answered as a counted wake-up. Either way, the next due time is read again if there may be one.
   */
  #dueTimeCame(): void {
    const due = this.#due;
    this.#due = null;
    if (!due || this.#state !== 'running') return;
    const came = performance.now() >= due.at;
    if (came && this.#heardAt < due.at - DUE_GRACE_MS) {
      this.#draw({ count: Math.max(1, due.jobs), kind: null });
    }
    // Those due later (the read skips the jobs due now, claimed or not).
    if (this.#dueLater || !came) {
      this.#dueLater = false;
      void this.#learnNextDue();
    }
  }

  /** Reads the next due time of this worker's kinds from the database and arms the timer for it. */
  async #learnNextDue(): Promise<void> {
    if (this.#learningDue || this.#state !== 'running') return;
    this.#learningDue = true;
    this.#dueReadAt = performance.now();
    try {
      const inMs = await this.#store.msUntilNextDue(this.#kinds);
      if (inMs !== null && inMs > 0) this.#armDue(inMs, 0);
    } catch (error) {
      // Only a timer missed: the polls still find the jobs.
      this.#logger.warn({ err: error }, 'could not read when the next job falls due; polling finds it');
    } finally {
      this.#learningDue = false;
    }
  }

  /** The chance this worker answers a wake-up for one job (wake-up-lottery.ts). */
  get wakeUpChance(): number {
    return this.#lottery.chance;
  }

  /**
   * The claims this worker made, by why it made each (a bench counts them; one increment a claim). A
   * claim that answers a drawn wake-up or a poll counts as that, whatever else asked for it.
   */
  get claimsByReason(): Readonly<Record<ClaimReason, number>> {
    return { ...this.#claims };
  }

  /** Asks for a claim round now (new jobs may be waiting). */
  #wake(reason: ClaimReason): void {
    this.#claimReason ??= reason;
    if (this.#state !== 'running') return;
    if (this.#claiming) {
      this.#claimAgain = true;
      return;
    }
    void this.#claimLoop();
  }

  /**
   * Records who this worker is as a process, so that a reaper on this host can prove it dead and
   * re-queue its jobs without waiting for their leases. Without it (no /proc, a failed write) its
   * jobs are recovered by their leases, as always.
   */
  async #register(): Promise<void> {
    const identity = recordableIdentity(currentProcessIdentity());
    if (!identity) return;
    await this.#store.registerWorker(this.id, identity).catch((error: unknown) => {
      this.#logger.warn({ err: error }, 'could not record this worker process; its jobs rely on leases');
    });
  }

  async #claimLoop(): Promise<void> {
    this.#claiming = true;
    let foundNothing = false;
    try {
      await this.#registered;
      do {
        this.#claimAgain = false;
        this.#startQueued();
        const free = this.#claimRoom();
        if (free <= 0 || this.#state !== 'running') break;
        let jobs: Job[];
        // A claim that may queue jobs takes the short lease; those that start are renewed soon after.
        const shortLease = free > this.#settings.concurrency - this.#activeHandlers;
        const answering = this.#answering();
        this.#claims[answering ?? this.#claimReason ?? 'batch-full']++;
        this.#claimReason = null;
        try {
          jobs = await this.#store.claim({
            workerId: this.id,
            kinds: this.#kinds,
            limit: free,
            leaseSeconds: shortLease ? this.#claimAheadLeaseSeconds : this.#settings.leaseSeconds,
          });
        } catch (error) {
          this.#claimFailures++;
          const reason = outageCode(error);
          if (reason === null) this.#logger.error({ err: error }, 'claiming jobs failed; will poll again');
          else {
            this.#logger.warn(
              { err: error, reason, failuresInARow: this.#claimFailures },
              'the database refuses or cannot be reached; claiming again after a pause',
            );
          }
          break;
        }
        this.#claimFailures = 0;
        this.#learn(answering, jobs.length);
        foundNothing = jobs.length === 0;
        if (this.#state !== 'running') {
          // Stopped while the claim was in flight: hand the jobs straight back.
          await this.#store
            .release(jobs.map(leaseOf))
            .catch((error: unknown) =>
              this.#logger.error({ err: error }, 'releasing jobs failed; the reaper will'),
            );
          break;
        }
        for (const job of jobs) this.#queue(job, shortLease);
        this.#startQueued();
        if (jobs.length === free) {
          this.#claimAgain = true;
          this.#claimReason ??= 'batch-full';
        }
      } while (this.#claimAgain);
    } finally {
      // A wake-up or poll this round had no room to claim for teaches nothing.
      this.#answering();
      this.#answeringJobs = 0;
      this.#claimReason = null;
      this.#claiming = false;
      this.#schedulePoll();
      // Nothing claimable: when does something fall due? (Its writer may never say: it may stop.)
      if (foundNothing && performance.now() - this.#dueReadAt >= DUE_READ_INTERVAL_MS) {
        void this.#learnNextDue();
      }
    }
  }

  /**
   * Teaches the lottery what the claim that answered a wake-up found; a poll that found jobs says
   * a wake-up went unanswered.
   */
  #learn(answering: 'wake-up' | 'poll' | null, found: number): void {
    if (answering === 'wake-up') {
      const announced = this.#answeringJobs;
      this.#answeringJobs = 0;
      if (found > 0) {
        this.#lottery.found();
        this.#jobsAhead += Math.max(0, found - announced);
      } else if (this.#jobsAhead > 0) this.#jobsAhead--;
      else this.#lottery.foundNothing();
      return;
    }
    this.#jobsAhead += found;
    if (answering === 'poll') {
      if (found > 0) this.#lottery.found();
      // An empty queue at a poll (seconds apart): the wake-ups of the jobs taken ahead came long ago.
      else this.#jobsAhead = 0;
    }
  }

  /** What the next claim answers (a drawn wake-up, a poll, or neither); clears it. */
  #answering(): 'wake-up' | 'poll' | null {
    const answering = this.#answeringWakeUp ? 'wake-up' : this.#answeringPoll ? 'poll' : null;
    if (answering !== 'wake-up') this.#answeringJobs = 0;
    this.#answeringWakeUp = false;
    this.#answeringPoll = false;
    return answering;
  }

  /** Jobs expected to start within the claim-ahead window, from the running average. */
  #claimAheadTarget(): number {
    const { prefetchLimit, prefetchWindowMs, concurrency } = this.#settings;
    if (prefetchLimit === 0 || this.#handlerMs === null) return 0;
    const perSlot = prefetchWindowMs / Math.max(this.#handlerMs, 0.001);
    return Math.min(prefetchLimit, Math.floor(perSlot * concurrency));
  }

  /**
   * How many jobs the next claim may take: the free slots plus the room left in the claim-ahead
   * queue. A slot frees when its handler returns, before the outcome is written, so the next claim
   * overlaps the previous completions, as long as not too many outcome writes are still waited for.
   */
  #claimRoom(): number {
    const { concurrency } = this.#settings;
    const target = this.#claimAheadTarget();
    const freeSlots = concurrency - this.#activeHandlers;
    const queueRoom = target - this.#queued.size;
    const writing = this.#running.size - this.#activeHandlers;
    if (writing > concurrency + target) {
      this.#roomHeldByWrites = true;
      return 0;
    }
    // Top the queue up once half of it is used, not job by job.
    if (freeSlots <= 0 && queueRoom < target / 2) return 0;
    return Math.max(0, freeSlots) + Math.max(0, queueRoom);
  }

  /** Two heartbeats, at most the full lease: what a job claimed ahead holds while it waits. */
  get #claimAheadLeaseSeconds(): number {
    return Math.min(this.#settings.leaseSeconds, 2 * this.#settings.heartbeatSeconds);
  }

  #queue(job: Job, shortLease: boolean): void {
    const queued: RunningJob = {
      job,
      lease: leaseOf(job),
      abort: new JobAbort(),
      done: NOT_STARTED,
      handlerDone: false,
      shortLease,
    };
    this.#queued.set(job.id, queued);
  }

  /** Starts queued jobs while slots are free. */
  #startQueued(): void {
    for (const queued of this.#queued.values()) {
      if (this.#activeHandlers >= this.#settings.concurrency) return;
      this.#queued.delete(queued.job.id);
      this.#run(queued);
    }
  }

  /** A queued job whose lease was lost or whose cancellation was asked for never starts. */
  #settleQueued(queued: RunningJob): void {
    if (!this.#queued.delete(queued.job.id)) return;
    queued.handlerDone = true;
    this.#track(
      queued,
      this.#finish(queued, null).then((outcome) => void this.emit('finished', queued.job, outcome)),
    );
  }

  /**
   * The next poll: the poll interval with jitter, doubled for each claim that failed in a row (up
   * to MAX_CLAIM_BACKOFF_MS), so that a fleet facing a refusing database spreads its tries out.
   */
  #schedulePoll(): void {
    if (this.#state !== 'running') return;
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    const { pollIntervalMs } = this.#settings;
    const backedOff = Math.min(
      pollIntervalMs * 2 ** Math.min(this.#claimFailures, 16),
      Math.max(pollIntervalMs, MAX_CLAIM_BACKOFF_MS),
    );
    const jittered = backedOff * (0.5 + Math.random());
    this.#pollTimer = setTimeout(() => {
      this.#answeringPoll = true;
      this.#wake('poll');
    }, jittered);
  }

  #scheduleHeartbeat(): void {
    this.#heartbeatTimer = setTimeout(() => {
      this.#heartbeating = this.#heartbeat().finally(() => {
        this.#heartbeating = null;
        if (this.#state === 'running' || this.#state === 'stopping') this.#scheduleHeartbeat();
      });
    }, this.#settings.heartbeatSeconds * 1000);
  }

  /** Renews the leases of started jobs to the full lease, and of queued ones to the short one. */
  async #heartbeat(): Promise<void> {
    const live = (r: RunningJob) => r.abort.reason === null;
    await Promise.all([
      this.#renew([...this.#running.values()].filter(live), this.#settings.leaseSeconds),
      this.#renew([...this.#queued.values()].filter(live), this.#claimAheadLeaseSeconds),
    ]);
  }

  /** Soon after jobs start on a short lease: one renewal to the full lease for those still running. */
  #schedulePromotion(): void {
    if (this.#promoteTimer) return;
    this.#promoteTimer = setTimeout(() => {
      this.#promoteTimer = null;
      const started = [...this.#running.values()].filter(
        (r) => r.shortLease && !r.handlerDone && r.abort.reason === null,
      );
      void this.#renew(started, this.#settings.leaseSeconds);
    }, PROMOTE_AFTER_MS);
  }

  async #renew(jobs: RunningJob[], leaseSeconds: number): Promise<void> {
    if (jobs.length === 0) return;
    try {
      const outcomes = await this.#store.heartbeat(
        jobs.map((r) => r.lease),
        leaseSeconds,
      );
      if (leaseSeconds === this.#settings.leaseSeconds) {
        for (const job of jobs) if (this.#running.has(job.job.id)) job.shortLease = false;
      }
      for (const outcome of outcomes) {
        const job = this.#running.get(outcome.jobId) ?? this.#queued.get(outcome.jobId);
        if (!job) continue;
        if (outcome.state === 'lost') this.#abort(job, 'LEASE_LOST', 'Another worker took over this job');
        else if (outcome.state === 'cancel_requested') {
          this.#abort(job, 'JOB_CANCELLED', outcome.reason ?? 'Cancelled on request');
        }
        if (outcome.state !== 'held') this.#settleQueued(job);
      }
    } catch (error) {
      this.#logger.error(
        { err: error },
        'heartbeat failed; the leases will lapse unless the next one succeeds',
      );
    }
  }

  #handlerReturned(running: RunningJob): void {
    if (running.handlerDone) return;
    running.handlerDone = true;
    this.#activeHandlers -= 1;
  }

  #abort(running: RunningJob, code: ErrorCode, message: string): void {
    // A second abort changes nothing: JobAbort keeps the first reason.
    running.abort.abort(new ReelqueueError(code, message, { jobId: running.job.id }));
  }

  #run(running: RunningJob): void {
    this.#activeHandlers += 1;
    if (running.shortLease) this.#schedulePromotion();
    this.#track(running, this.#execute(running));
  }

  /** Holds the job as running until `work` (its handler and outcome write) settles. */
  #track(running: RunningJob, work: Promise<void>): void {
    this.#running.set(running.job.id, running);
    // One then, not catch and finally: a no-op job's bookkeeping is most of what it costs.
    running.done = work.then(
      () => this.#untrack(running),
      (error: unknown) => {
        this.#logger.error(
          { err: error, jobId: running.job.id },
          'writing the outcome failed; the reaper will recover the job',
        );
        this.#untrack(running);
      },
    );
  }

  #untrack(running: RunningJob): void {
    // A job that never started (settled in the queue) frees its room only now.
    const started = running.handlerDone;
    this.#handlerReturned(running);
    this.#running.delete(running.job.id);
    if (!started || this.#roomHeldByWrites) {
      this.#roomHeldByWrites = false;
      this.#wakeSoon('room-freed');
    }
  }

  async #execute(running: RunningJob): Promise<void> {
    const { job } = running;
    this.emit('started', job);
    const limitMs = runTimeoutMs(job);
    const timeout = setTimeout(
      () =>
        this.#abort(
          running,
          'JOB_TIMEOUT',
          limitMs < job.timeoutSeconds * 1000
            ? `The job ran past its timeout of ${job.timeoutSeconds} s, counted from its first run (its wait for the jobs it started included)`
            : `The job ran past its timeout of ${job.timeoutSeconds} s`,
        ),
      limitMs,
    );
    let settled: Settled = null;
    const startedAt = performance.now();
    try {
      settled = await this.#handlerSettled(running);
    } finally {
      clearTimeout(timeout);
      const ms = performance.now() - startedAt;
      this.#handlerMs =
        this.#handlerMs === null ? ms : this.#handlerMs + DURATION_WEIGHT * (ms - this.#handlerMs);
      this.#handlerReturned(running);
      this.#wakeSoon('job-finished');
    }
    const outcome = await this.#finish(running, settled);
    this.emit('finished', job, outcome);
  }

  /**
   * Runs the handler: its result or error, or null once the job was aborted (`#abort`) and the
   * handler had ABORT_GRACE_SECONDS to wind down without settling. One promise per job; a race
   * between the handler and an abort promise made three more.
   */
  #handlerSettled(running: RunningJob): Promise<Settled> {
    return new Promise<Settled>((resolve) => {
      running.abort.onAbort(() => {
        setTimeout(() => resolve(null), this.#settings.abortGraceSeconds * 1000);
      });
      const context = new RunningJobContext(
        running.job,
        running.lease,
        running.abort,
        this.#writeProgress,
        this.#readParents,
      );
      let work: Promise<JsonObject | void>;
      try {
        work = this.#registry.get(running.job.kind).run(context);
      } catch (error) {
        resolve({ ok: false, error });
        return;
      }
      work.then(
        (result) => resolve({ ok: true, result: result ?? {} }),
        (error: unknown) => resolve({ ok: false, error }),
      );
    });
  }

  async #finish(running: RunningJob, settled: Settled): Promise<JobOutcome> {
    const { job, lease } = running;
    const reason = running.abort.reason;
    if (reason?.code === 'LEASE_LOST') {
      this.#logger.warn({ jobId: job.id }, 'lost the lease; another worker owns this job now');
      return 'lease_lost';
    }
    if (reason?.code === 'WORKER_SHUTDOWN') return 'released';
    try {
      if (reason?.code === 'JOB_CANCELLED') {
        await this.#persist(() => this.#store.markCancelled(lease, reason.message));
        return 'cancelled';
      }
      if (reason?.code === 'JOB_TIMEOUT') {
        const retryAfter = retryDelaySeconds(this.#settings.retryPolicy, job);
        await this.#persist(() =>
          this.#store.fail(lease, {
            code: 'JOB_TIMEOUT',
            message: reason.message,
            details: { timeout_seconds: job.timeoutSeconds },
            terminalStatus: 'timeout',
            retryAfterSeconds: retryAfter,
          }),
        );
        this.#logFailedAttempt(running, 'JOB_TIMEOUT', reason.message, retryAfter);
        return retryAfter === null ? 'timeout' : 'retry_scheduled';
      }
      if (settled?.ok) {
        // A presentation completes once its video is stored: its lesson text may go in the same write.
        const clearLessonText =
          this.#settings.clearLessonTextAfterSuccess === true && job.kind === 'presentation';
        const held = await this.#persist(() =>
          this.#completions.add({ lease, result: settled.result, clearLessonText }),
        );
        if (!held) throw leaseLost(lease);
        return 'completed';
      }
      const error = settled?.error;
      if (error instanceof WaitForJobs) {
        await this.#persist(() => this.#store.waitForJobs(lease, error.jobIds, error.message));
        return 'waiting';
      }
      const code = isReelqueueError(error) ? error.code : 'HANDLER_FAILED';
      const retryAfter = PERMANENT.has(code as ErrorCode)
        ? null
        : retryDelaySeconds(this.#settings.retryPolicy, job);
      const message = describeError(error);
      await this.#persist(() =>
        this.#store.fail(lease, {
          code,
          message,
          details: isReelqueueError(error) && error.details ? (error.details as JsonObject) : null,
          terminalStatus: 'failed',
          retryAfterSeconds: retryAfter,
        }),
      );
      this.#logFailedAttempt(running, code, message, retryAfter);
      return retryAfter === null ? 'failed' : 'retry_scheduled';
    } catch (error) {
      if (isReelqueueError(error, 'LEASE_LOST')) {
        this.#logger.warn(
          { jobId: job.id },
          'lost the lease before writing the outcome; the write was refused',
        );
        return 'lease_lost';
      }
      throw error;
    }
  }

  /** Every failed attempt is in the log, whether it is retried or ends the job. */
  #logFailedAttempt(running: RunningJob, code: string, message: string, retryAfter: number | null): void {
    const { job, lease } = running;
    this.#logger.warn(
      {
        jobId: job.id,
        kind: job.kind,
        attempt: lease.attempt,
        code,
        error: message,
        retryInSeconds: retryAfter,
      },
      retryAfter === null ? 'job attempt failed; no retry left' : 'job attempt failed; retry scheduled',
    );
  }

  /**
   * Writes an outcome, retrying while the database is unreachable (a restart, a failover) for up to
   * one lease period. Past that the lease has lapsed anyway, and the reaper gives the job to another
   * worker: the job runs again rather than being lost.
   */
  async #persist<T>(write: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#settings.leaseSeconds * 1000;
    let backoffMs = 50;
    for (;;) {
      try {
        return await write();
      } catch (error) {
        // Our own errors (a refused write) are answers; an outage (even a lock held past the busy
        // timeout, DATABASE_BUSY) and any other driver error are worth another try.
        const answer = isReelqueueError(error) && !isDatabaseUnavailable(error);
        if (answer || Date.now() > deadline) throw error;
        this.#logger.warn({ err: error }, 'writing a job outcome failed; retrying');
        await delay(backoffMs * (0.5 + Math.random()));
        backoffMs = Math.min(backoffMs * 2, 2000);
      }
    }
  }

  /**
   * Stops claiming at once; running jobs get `graceSeconds` to finish, then are aborted and released
   * back to the queue without using up an attempt.
   */
  stop(graceSeconds = this.#settings.shutdownGraceSeconds): Promise<void> {
    this.#stopped ??= this.#stop(graceSeconds);
    return this.#stopped;
  }

  /** Hands the jobs claimed ahead straight back: they never started. */
  async #releaseQueued(): Promise<void> {
    const queued = [...this.#queued.values()];
    this.#queued.clear();
    if (queued.length === 0) return;
    await this.#persist(() => this.#store.release(queued.map((q) => q.lease))).catch((error: unknown) => {
      this.#logger.error({ err: error }, 'releasing queued jobs failed; the reaper will recover them');
    });
  }

  async #stop(graceSeconds: number): Promise<void> {
    if (this.#state === 'idle') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    if (this.#due) clearTimeout(this.#due.timer);
    this.#due = null;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await this.#releaseQueued();
    const allDone = () => Promise.all([...this.#running.values()].map((r) => r.done));
    const inGrace = await Promise.race([
      allDone().then(() => true),
      delay(graceSeconds * 1000, undefined, { ref: false }).then(() => false),
    ]);
    if (!inGrace) {
      const left = [...this.#running.values()];
      for (const running of left) this.#abort(running, 'WORKER_SHUTDOWN', 'The worker is shutting down');
      const released = await this.#persist(() => this.#store.release(left.map((r) => r.lease))).catch(
        (error: unknown) => {
          this.#logger.error(
            { err: error },
            'releasing jobs at shutdown failed; the reaper will recover them',
          );
          return [] as string[];
        },
      );
      this.#logger.info({ released }, 'released unfinished jobs back to the queue');
      await allDone();
    }
    this.#state = 'stopped';
    await this.#registered;
    await this.#store.unregisterWorkers([this.id]).catch((error: unknown) => {
      this.#logger.warn({ err: error }, 'could not remove this worker process record');
    });
    if (this.#heartbeatTimer) clearTimeout(this.#heartbeatTimer);
    if (this.#promoteTimer) clearTimeout(this.#promoteTimer);
    await this.#heartbeating;
    this.#logger.info('worker stopped');
  }
}
