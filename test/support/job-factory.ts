/**
 * Builds jobs in a given state through the store API only, so conformance tests read like
 * specifications: `await jobs.running({ priority: 'high', workerId: 'worker-a' })`.
 */
import type { Config } from '../../src/config.js';
import { noopKind, sleepKind } from '../../src/jobs/builtin-kinds.js';
import { KindRegistry, isJsonObject, type JobKind } from '../../src/jobs/kinds.js';
import {
  leaseOf,
  type Job,
  type JobPriority,
  type JsonObject,
  type Lease,
  type NewJob,
  type ResolvedNewJob,
} from '../../src/jobs/model.js';
import { resolveNewJob } from '../../src/jobs/new-job.js';
import type { JobStore } from '../../src/jobs/store.js';

/** A kind that accepts any JSON object; enough for jobs whose handler never runs in these tests. */
export function stubKind(name: string): JobKind {
  return {
    name,
    parsePayload(input) {
      return isJsonObject(input) ? input : {};
    },
    async run() {
      return {};
    },
  };
}

/** The kinds the conformance suite knows: the built-ins and a stub `presentation`. */
export function testKinds(): KindRegistry {
  return new KindRegistry([noopKind, sleepKind, stubKind('presentation')]);
}

export interface JobSpec {
  kind?: string;
  payload?: JsonObject;
  priority?: JobPriority;
  userId?: string | null;
  lessonId?: string | null;
  idempotencyKey?: string | null;
  maxRetries?: number;
  timeoutSeconds?: number;
  runAt?: Date;
  costPoints?: number;
}

export interface StartedSpec extends JobSpec {
  workerId?: string;
  leaseSeconds?: number;
}

export interface RunningJob {
  job: Job;
  lease: Lease;
}

export const DEFAULT_WORKER = 'worker-a';

export class JobFactory {
  readonly kinds = testKinds();
  readonly #store: JobStore;
  readonly #config: Config;
  #lane = 0;

  constructor(store: JobStore, config: Config) {
    this.#store = store;
    this.#config = config;
  }

  /** Resolves a new job with the config's defaults, as the API and CLI do. */
  resolve(input: NewJob): ResolvedNewJob {
    return resolveNewJob(input, this.kinds, {
      jobTimeoutSeconds: this.#config.jobTimeoutSeconds,
      maxRetries: this.#config.maxRetries,
    });
  }

  async pending(spec: JobSpec = {}): Promise<Job> {
    return (await this.#store.enqueue(this.resolve({ kind: 'noop', ...spec }))).job;
  }

  async pendingMany(count: number, spec: JobSpec = {}): Promise<Job[]> {
    const specs = Array.from({ length: count }, () => this.resolve({ kind: 'noop', ...spec }));
    return (await this.#store.enqueueMany(specs)).map((result) => result.job);
  }

  /**
   * A running job with a lease for `workerId`. Unless a kind is given it gets a kind of its own, so
   * the claim that starts it cannot pick another pending job.
   */
  async running(spec: StartedSpec = {}): Promise<RunningJob> {
    const kind = spec.kind ?? this.#privateKind();
    const pending = await this.pending({ ...spec, kind });
    const claimed = await this.#store.claim({
      workerId: spec.workerId ?? DEFAULT_WORKER,
      kinds: [kind],
      limit: 1,
      leaseSeconds: spec.leaseSeconds ?? 30,
    });
    const job = claimed[0];
    if (claimed.length !== 1 || job?.id !== pending.id) {
      throw new Error(
        `factory: claiming kind ${kind} did not start job ${pending.id}; give it a kind of its own`,
      );
    }
    return { job, lease: leaseOf(job) };
  }

  async completed(spec: StartedSpec & { result?: JsonObject } = {}): Promise<Job> {
    const { lease } = await this.running(spec);
    return this.#store.complete(lease, spec.result ?? { ok: true });
  }

  async failed(spec: StartedSpec & { errorCode?: string } = {}): Promise<Job> {
    const { lease } = await this.running(spec);
    return this.#store.fail(lease, {
      code: spec.errorCode ?? 'HANDLER_FAILED',
      message: 'the handler threw',
      details: null,
      terminalStatus: 'failed',
      retryAfterSeconds: null,
    });
  }

  async timedOut(spec: StartedSpec = {}): Promise<Job> {
    const { lease } = await this.running(spec);
    return this.#store.fail(lease, {
      code: 'JOB_TIMEOUT',
      message: 'the job ran past its timeout',
      details: null,
      terminalStatus: 'timeout',
      retryAfterSeconds: null,
    });
  }

  /** A job cancelled while pending (it never started). */
  async cancelled(spec: JobSpec & { reason?: string } = {}): Promise<Job> {
    const job = await this.pending(spec);
    return (await this.#store.cancel(job.id, spec.reason ?? null, { all: true })).job;
  }

  #privateKind(): string {
    const name = `lane-${++this.#lane}`;
    this.kinds.register(stubKind(name));
    return name;
  }
}
