/**
 * The composition root: builds reelqueue from a resolved config. The CLI, the server and the tests
 * all start here; modules receive what they need from it instead of importing globals.
 */
import { hostname } from 'node:os';
import { AnnouncingJobStore } from './cache/announcing-job-store.js';
import { cacheInvalidatingScheduleStore } from './cache/cache-invalidating-schedule-store.js';
import { CachingJobStore } from './cache/caching-job-store.js';
import type { JobSignals } from './cache/job-signals.js';
import { RedisJobSignals } from './cache/redis-job-signals.js';
import { RedisWakeUps } from './cache/redis-wake-ups.js';
import { WakingJobStore } from './cache/waking-job-store.js';
import { wakingScheduleStore } from './cache/waking-schedule-store.js';
import { openRedis, type RedisConnection } from './cache/redis.js';
import { RedisStatusCache } from './cache/redis-status-cache.js';
import type { Config } from './config.js';
import { openDatabase, type OpenDatabase } from './db/open-database.js';
import { whenDatabaseAnswers } from './db/wait-for-database.js';
import { defaultKinds } from './default-kinds.js';
import { noopKind, sleepKind } from './jobs/builtin-kinds.js';
import { CleanupScheduler } from './jobs/cleanup-scheduler.js';
import { RollupFolder } from './jobs/rollup-folder.js';
import { KindRegistry, type JobKind } from './jobs/kinds.js';
import type { NewJob } from './jobs/model.js';
import { resolveNewJob } from './jobs/new-job.js';
import { Reaper } from './jobs/reaper.js';
import type { EnqueueOptions, EnqueueResult, JobStore } from './jobs/store.js';
import { Worker, type WorkerSettings } from './jobs/worker.js';
import { createLogger, type Logger } from './logger.js';
import { Scheduler } from './schedules/scheduler.js';
import { Schedules } from './schedules/service.js';

export interface Reelqueue {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: OpenDatabase;
  /**
   * The database's job store; with REDIS_URL, its status reads are cached in Redis (every write
   * invalidates them first) and its writes announce their jobs' new events.
   */
  readonly jobs: JobStore;
  /** The optional Redis (REDIS_URL), or null. */
  readonly redis: RedisConnection | null;
  /** Wake-ups for live progress across processes (REDIS_URL), or null without Redis. */
  readonly signals: JobSignals | null;
  readonly kinds: KindRegistry;
  /** Validates and queues one job; nothing is written when validation fails or a limit refuses it. */
  enqueue(job: NewJob, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Validates every job first, then queues them all in one transaction. */
  enqueueMany(jobs: readonly NewJob[]): Promise<EnqueueResult[]>;
  /** A worker for this database (not started). */
  createWorker(overrides?: Partial<WorkerSettings>): Worker;
  /** The ids of this process's workers that are claiming jobs, in the order they were created. */
  workerIds(): string[];
  createReaper(): Reaper;
  /** The scheduled cleanup (CLEANUP_INTERVAL_MINUTES), not started; `node` names this process. */
  createCleanupScheduler(node?: string): CleanupScheduler;
  /** Recurring jobs: list, add, change and remove schedules (validated against `kinds`). */
  readonly schedules: Schedules;
  /** The scheduler that queues the schedules' ticks, not started; `node` names this process. */
  createScheduler(node?: string): Scheduler;
  /** Folds the statistics rollups' deltas every couple of seconds, not started. */
  createRollupFolder(): RollupFolder;
  close(): Promise<void>;
}

export interface ReelqueueOptions {
  logger?: Logger;
  /**
   * Extra job kinds besides the built-in ones; a kind of the same name replaces the built-in one. A
   * function receives the opened database (the presentation kind stores its video there).
   */
  kinds?: readonly JobKind[] | ((database: OpenDatabase, config: Config) => readonly JobKind[]);
  /**
   * Register `presentation` and `webhook` besides `noop` and `sleep` (default true), as the CLI's
   * `serve` and `worker` do: the video goes to this database, speech is cached in DATA_DIR/tts-cache
   * and work folders are namespaced by the deployment's id.
   */
  defaultKinds?: boolean;
  /** Apply pending migrations while opening (default true). */
  migrate?: boolean;
  /**
   * While the database refuses or cannot be reached at start (an outage: too many clients, a
   * restart), wait and try again with a jittered backoff, logging each try, instead of failing.
   * The long-running commands (`worker`, `serve`) do, so that a fleet never crash-loops. Default false.
   */
  waitForDatabase?: boolean;
  /** Refuse (DATABASE_NOT_FOUND) rather than create a SQLite database (commands that only read). */
  databaseMustExist?: boolean;
}

export async function createReelqueue(config: Config, options: ReelqueueOptions = {}): Promise<Reelqueue> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = await openDatabase(config, { mustExist: options.databaseMustExist ?? false });
  const extraKinds =
    typeof options.kinds === 'function' ? options.kinds(database, config) : (options.kinds ?? []);
  const standard = (options.defaultKinds ?? true) ? defaultKinds(database, config) : [];
  const kinds = new KindRegistry([noopKind, sleepKind, ...standard, ...extraKinds]);
  try {
    if (options.waitForDatabase === true) {
      await whenDatabaseAnswers(
        async () => {
          if (options.migrate ?? true) await database.migrate();
          await database.deploymentId();
        },
        logger,
        'starting',
      );
    } else if (options.migrate ?? true) await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  const redis = config.redisUrl ? await openRedis(config.redisUrl, config) : null;
  const signals = redis ? new RedisJobSignals(redis, logger) : null;
  const statusCache =
    redis && config.statusCacheSeconds > 0
      ? new RedisStatusCache(redis, config.statusCacheSeconds, logger)
      : null;
  const cached = statusCache ? new CachingJobStore(database.jobs, statusCache) : database.jobs;
  // WAKE_UPS=redis: this process holds no LISTEN session; workers hear of jobs over Redis instead.
  const redisWakeUps = redis && config.wakeUps === 'redis' ? new RedisWakeUps(redis, logger) : null;
  // A tick queues its jobs outside the job store: the cache and the Redis wake-ups learn of them
  // from the firing.
  const cachedSchedules = statusCache
    ? cacheInvalidatingScheduleStore(database.schedules, statusCache)
    : database.schedules;
  const scheduleStore = redisWakeUps ? wakingScheduleStore(cachedSchedules, redisWakeUps) : cachedSchedules;
  const announcing = signals ? new AnnouncingJobStore(cached, signals) : cached;
  const jobs = redisWakeUps ? new WakingJobStore(announcing, redisWakeUps) : announcing;
  const defaults = { jobTimeoutSeconds: config.jobTimeoutSeconds, maxRetries: config.maxRetries };
  const workers = new Set<Worker>();
  const tickers = new Set<Scheduler>();
  const schedules = new Schedules(database.schedules, kinds, {
    changed: () => tickers.forEach((scheduler) => scheduler.wake()),
  });
  const schedulers = new Set<CleanupScheduler | RollupFolder>();

  return {
    config,
    logger,
    database,
    jobs,
    redis,
    signals,
    kinds,
    enqueue: (job, options) => jobs.enqueue(resolveNewJob(job, kinds, defaults), options),
    enqueueMany: (many) => jobs.enqueueMany(many.map((job) => resolveNewJob(job, kinds, defaults))),
    createWorker(overrides = {}) {
      const worker = new Worker({
        store: jobs,
        registry: kinds,
        logger,
        concurrency: config.workerConcurrency,
        prefetchLimit: config.workerPrefetch,
        prefetchWindowMs: config.workerPrefetchWindowMs,
        heartbeatSeconds: config.heartbeatSeconds,
        leaseSeconds: config.leaseSeconds,
        pollIntervalMs: config.pollIntervalMs,
        shutdownGraceSeconds: config.shutdownGraceSeconds,
        abortGraceSeconds: config.abortGraceSeconds,
        retryPolicy: { delaysSeconds: config.retryDelaysSeconds, jitter: config.retryJitter },
        clearLessonTextAfterSuccess: config.clearLessonTextAfterSuccess,
        ...overrides,
      });
      workers.add(worker);
      return worker;
    },
    workerIds: () => [...workers].filter((worker) => worker.isRunning).map((worker) => worker.id),
    createReaper: () => new Reaper(jobs, { intervalSeconds: config.reaperIntervalSeconds, logger, kinds }),
    createCleanupScheduler(node = `${hostname()}:${process.pid}`) {
      const scheduler = new CleanupScheduler(jobs, {
        intervalMinutes: config.cleanupIntervalMinutes,
        maxAgeHours: config.cleanupMaxAgeHours,
        statuses: config.cleanupStatuses,
        videoRetentionHours: config.videoRetentionHours,
        node,
        logger,
      });
      schedulers.add(scheduler);
      return scheduler;
    },
    schedules,
    createScheduler(node = `${hostname()}:${process.pid}`) {
      const scheduler = new Scheduler({ store: scheduleStore, logger, node, jobDefaults: defaults });
      tickers.add(scheduler);
      return scheduler;
    },
    createRollupFolder() {
      const folder = new RollupFolder(jobs, logger);
      schedulers.add(folder);
      return folder;
    },
    async close() {
      await Promise.all([...tickers].map((scheduler) => scheduler.stop()));
      await Promise.all([...workers].map((worker) => worker.stop()));
      await Promise.all([...schedulers].map((scheduler) => scheduler.stop()));
      redis?.close();
      await database.close();
    },
  };
}
