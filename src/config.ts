/**
 * Every setting of reelqueue: its environment variable, its default and its validation.
 * A default is written here once; internals receive the resolved, frozen `Config`.
 */
import { z } from 'zod';
import { aliasedSettings } from './config-aliases.js';
import { isSqliteUrl, normalDatabaseUrl, parseDatabaseUrl } from './db/database-url.js';
import { ReelqueueError } from './errors.js';
import { LESSON_LIMITS } from './render/lesson/model.js';
import { isSupportedVoice, SUPPORTED_VOICES } from './render/tts/voices.js';

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const numberFrom = (min: number, max: number) => z.coerce.number().min(min).max(max);

/** `true`/`false` (or `1`/`0`), as environment variables spell them. */
const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((text) => text === 'true' || text === '1');

const retryDelays = z
  .string()
  .transform((text) => text.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part))))
  .pipe(z.array(z.number().min(0).max(86_400)).min(1));

/**
 * `en-us=alloy,de=onyx,*=nova`: the provider's voice for each job voice; `*` for the others. A job
 * voice without an entry (and no `*`) is sent as it is.
 */
const ttsVoices = z.string().transform((text, context) => {
  const voices: Record<string, string> = {};
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const [jobVoice = '', providerVoice = '', ...rest] = entry.split('=').map((part) => part.trim());
    if (rest.length > 0 || providerVoice === '' || providerVoice.length > 100) {
      context.addIssue({ code: 'custom', message: `"${entry.trim()}" is not job-voice=provider-voice` });
      return z.NEVER;
    }
    const key = jobVoice.toLowerCase();
    if (key !== '*' && !isSupportedVoice(key)) {
      context.addIssue({
        code: 'custom',
        message: `"${jobVoice}" is not a job voice: use * or one of ${SUPPORTED_VOICES.join(', ')}`,
      });
      return z.NEVER;
    }
    voices[key] = providerVoice;
  }
  return voices;
});

const databaseUrl = z
  .string()
  .min(1)
  .refine((url) => isSqliteUrl(url) || /^(postgres:\/\/|postgresql:\/\/)/.test(url), {
    message:
      'must start with sqlite: (for example sqlite:./data/reelqueue.db or sqlite:///./data/reelqueue.db) or postgres://',
  })
  .superRefine((url, context) => {
    try {
      parseDatabaseUrl(url);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** Environment variable → schema with its default. */
const settings = {
  DATABASE_URL: databaseUrl.default('sqlite:./data/reelqueue.db'),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL identifier')
    .default('public'),
  DATABASE_POOL_SIZE: intFrom(1, 200).default(10),
  DATABASE_LISTEN_URL: z
    .string()
    .regex(/^(postgres:\/\/|postgresql:\/\/)/, 'must start with postgres:// (it is for PostgreSQL only)')
    .optional(),
  DATABASE_PREPARED_STATEMENTS: z.enum(['auto', 'on', 'off']).default('auto'),
  REDIS_URL: z.string().url().optional(),
  WAKE_UPS: z.enum(['listen', 'redis', 'poll']).default('listen'),
  STATUS_CACHE_SECONDS: intFrom(0, 3600).default(30),
  PORT: intFrom(0, 65_535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_CONCURRENCY: intFrom(1, 1000).default(2),
  WORKER_PREFETCH: intFrom(0, 10_000).default(500),
  WORKER_PREFETCH_WINDOW_MS: intFrom(1, 60_000).default(50),
  JOB_TIMEOUT_MINUTES: numberFrom(0.001, 24 * 60).default(10),
  MAX_RETRIES: intFrom(0, 100).default(2),
  MAX_LOST_ATTEMPTS: intFrom(0, 1000).default(5),
  RETRY_DELAYS: retryDelays.default([0, 5, 15]),
  RETRY_JITTER: numberFrom(0, 1).default(0.2),
  CLEANUP_MAX_AGE_HOURS: numberFrom(0, 24 * 365 * 10).default(24),
  CLEANUP_INTERVAL_MINUTES: numberFrom(0, 60 * 24 * 30).default(60),
  CLEANUP_STATUSES: z
    .string()
    .regex(/^\s*(completed|failed|cancelled|timeout)(\s*,\s*(completed|failed|cancelled|timeout))*\s*$/, {
      message: 'a comma-separated list of completed, failed, cancelled, timeout',
    })
    .optional(),
  VIDEO_RETENTION_HOURS: numberFrom(0, 24 * 365 * 10).default(0),
  CLEAR_LESSON_TEXT_AFTER_SUCCESS: flag.default(false),
  SPLIT_RENDER_MIN_SLIDES: intFrom(0, 100_000).default(7),
  SPLIT_RENDER_SEGMENT_SLIDES: intFrom(1, 1000).default(4),
  LESSON_MAX_SCRIPT_CHARS: intFrom(100, 1_000_000).default(LESSON_LIMITS.maxScriptChars),
  ORPHANED_JOB_TIMEOUT_MINUTES: numberFrom(0, 24 * 60 * 30).default(30),
  HEARTBEAT_SECONDS: numberFrom(0.05, 3600).default(5),
  LEASE_SECONDS: numberFrom(0.2, 86_400).default(30),
  REAPER_INTERVAL_SECONDS: numberFrom(0.05, 3600).default(5),
  POLL_INTERVAL_MS: intFrom(5, 600_000).default(1000),
  SHUTDOWN_GRACE_SECONDS: numberFrom(0, 3600).default(25),
  ABORT_GRACE_SECONDS: numberFrom(0, 600).default(2),
  SQLITE_BUSY_TIMEOUT_MS: intFrom(0, 60_000).default(20),
  SQLITE_BUSY_RETRY_MS: intFrom(1, 600_000).default(30_000),
  JOB_COST_POINTS: intFrom(0, 1_000_000).default(0),
  MAX_ACTIVE_JOBS_PER_USER: intFrom(1, 1_000_000).default(20),
  RATE_LIMIT_PER_MINUTE: intFrom(0, 10_000_000).default(600),
  ADMIN_MAX_ACTIVE_JOBS: intFrom(1, 10_000_000).default(100_000),
  ADMIN_RATE_LIMIT_PER_MINUTE: intFrom(0, 100_000_000).default(120_000),
  AUTH_FAILURES_PER_MINUTE: intFrom(0, 10_000_000).default(30),
  API_KEY_CACHE_SECONDS: intFrom(0, 3600).default(30),
  WEBHOOK_ALLOW_PRIVATE: flag.default(false),
  BODY_LIMIT_BYTES: intFrom(1024, 100 * 1024 * 1024).default(1024 * 1024),
  IMPORT_BODY_LIMIT_BYTES: intFrom(1024, 1024 * 1024 * 1024).default(64 * 1024 * 1024),
  SERVE_WORKERS: intFrom(0, 64).default(1),
  REELQUEUE_ADMIN_KEY: z.string().min(16).optional(),
  FFMPEG_PATH: z.string().min(1).optional(),
  FFPROBE_PATH: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  LLM_BASE_URL: z
    .string()
    .url({ message: 'must be a URL such as http://127.0.0.1:11434/v1 (the part before /chat/completions)' })
    .refine((url) => /^https?:\/\//i.test(url), { message: 'must start with http:// or https://' })
    .refine((url) => !/^https?:\/\/[^/?#]*@/i.test(url), {
      message: 'must not hold a user or password: put the key in LLM_API_KEY',
    })
    .optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_MODEL: z.string().min(1).max(200).optional(),
  LLM_TIMEOUT_SECONDS: numberFrom(0.05, 600).default(30),
  LLM_MAX_RESPONSE_BYTES: intFrom(1024, 10 * 1024 * 1024).default(64 * 1024),
  LLM_CONCURRENCY: intFrom(1, 32).default(2),
  TTS_BASE_URL: z
    .string()
    .url({ message: 'must be a URL such as http://127.0.0.1:8880/v1 (the part before /audio/speech)' })
    .refine((url) => /^https?:\/\//i.test(url), { message: 'must start with http:// or https://' })
    .refine((url) => !/^https?:\/\/[^/?#]*@/i.test(url), {
      message: 'must not hold a user or password: put the key in TTS_API_KEY',
    })
    .optional(),
  TTS_API_KEY: z.string().min(1).optional(),
  TTS_MODEL: z.string().min(1).max(200).optional(),
  TTS_VOICES: ttsVoices.optional(),
  TTS_SPEED: numberFrom(0.25, 4).default(1),
  TTS_RESPONSE_FORMAT: z.enum(['wav', 'pcm']).default('wav'),
  TTS_TIMEOUT_SECONDS: numberFrom(0.05, 600).default(30),
  TTS_MAX_RESPONSE_BYTES: intFrom(1024, 256 * 1024 * 1024).default(32 * 1024 * 1024),
  TTS_FALLBACK: z.enum(['espeak', 'fail']).default('espeak'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
} as const;

type SettingName = keyof typeof settings;
export type SettingsInput = Partial<Record<SettingName, string | number | undefined>>;

const settingsSchema = z.object(settings);
type Settings = z.output<typeof settingsSchema>;

export interface Config {
  readonly databaseUrl: string;
  readonly databaseSchema: string;
  readonly databasePoolSize: number;
  /**
   * Where the PostgreSQL LISTEN connection goes (unset: `databaseUrl`): a session of its own, so
   * straight to the server when `databaseUrl` names a transaction-mode pooler.
   */
  readonly databaseListenUrl: string | undefined;
  /**
   * How workers hear of new jobs and cancel requests from other processes on PostgreSQL: `listen`
   * one LISTEN session per process; `redis` Redis pub/sub (REDIS_URL), no LISTEN session; `poll`
   * none, only polling (POLL_INTERVAL_MS) and heartbeats. SQLite's wake-ups stay on the host.
   */
  readonly wakeUps: 'listen' | 'redis' | 'poll';
  /**
   * Named (server-side) prepared statements: `on` always, `off` never (a transaction-mode pooler
   * such as PgBouncer before 1.21 does not keep them across transactions), `auto` on only once a
   * probe found the server itself at the URL's port (src/db/postgres/statement-names.ts).
   */
  readonly databasePreparedStatements: 'auto' | 'on' | 'off';
  readonly redisUrl: string | undefined;
  /**
   * With REDIS_URL: how long a job's cached status may live in Redis (0: status reads are not
   * cached). Every job write invalidates it; this bounds a stale entry left by a write whose
   * invalidation never reached Redis (an outage, a crash between commit and invalidation).
   */
  readonly statusCacheSeconds: number;
  readonly port: number;
  readonly host: string;
  readonly workerConcurrency: number;
  /** Most jobs a worker claims ahead of a free slot, when its handlers are fast. */
  readonly workerPrefetch: number;
  /** A worker claims ahead the jobs it expects to start within this many milliseconds. */
  readonly workerPrefetchWindowMs: number;
  readonly jobTimeoutSeconds: number;
  readonly maxRetries: number;
  /**
   * How many times a job whose worker was lost (killed, frozen past its lease) is re-queued; these
   * use up no retry. The next loss fails it with `WORKER_LOST_REPEATEDLY`.
   */
  readonly maxLostAttempts: number;
  readonly retryDelaysSeconds: readonly number[];
  readonly retryJitter: number;
  readonly cleanupMaxAgeHours: number;
  /** Scheduled cleanup every this many minutes, on one node per interval; 0 turns it off. */
  readonly cleanupIntervalMinutes: number;
  /** The finished statuses scheduled cleanup deletes; empty: every finished status. */
  readonly cleanupStatuses: readonly string[];
  /** Videos of jobs completed longer ago than this are deleted by the scheduled cleanup (the job stays); 0 keeps them. */
  readonly videoRetentionHours: number;
  /**
   * Seed 004's retention: a presentation job's lesson text (`lesson`, `markdown`, `script` in its
   * payload) is removed when it completes, its video stored; the rest of the job is kept.
   */
  readonly clearLessonTextAfterSuccess: boolean;
  /**
   * A presentation of at least this many slides is rendered split (src/render/split): segments of
   * `splitRenderSegmentSlides` slides drawn and encoded by any idle workers, then joined. 0: never.
   */
  readonly splitRenderMinSlides: number;
  readonly splitRenderSegmentSlides: number;
  /**
   * The most text a lesson may hold (titles, bullets and narration together, or a script's or
   * Markdown's characters); longer is refused with INVALID_PAYLOAD, reason SCRIPT_TOO_LONG, wherever
   * a lesson is parsed (enqueue, the lessons API, the render, a split render's plan and segments).
   */
  readonly lessonMaxScriptChars: number;
  readonly orphanedJobTimeoutMinutes: number;
  readonly heartbeatSeconds: number;
  readonly leaseSeconds: number;
  readonly reaperIntervalSeconds: number;
  readonly pollIntervalMs: number;
  readonly shutdownGraceSeconds: number;
  readonly abortGraceSeconds: number;
  readonly sqliteBusyTimeoutMs: number;
  readonly sqliteBusyRetryMs: number;
  readonly jobCostPoints: number;
  readonly maxActiveJobsPerUser: number;
  readonly rateLimitPerMinute: number;
  /**
   * Queued + running jobs of one key whose role is not `user` (admin keys; a backend's service key):
   * a backend queues for many people, so the per-user limit does not fit it.
   */
  readonly adminMaxActiveJobs: number;
  /** Requests per minute of one key whose role is not `user` (0: no limit). */
  readonly adminRateLimitPerMinute: number;
  /** Failed authentications per client address per minute before it is refused (0: no limit). */
  readonly authFailuresPerMinute: number;
  /**
   * How long an API node may remember who a key belongs to (0: never). Only with PostgreSQL, whose
   * notifications tell every node of a revoke at once; this bounds a missed notification.
   */
  readonly apiKeyCacheSeconds: number;
  /** Deliver webhooks to private and local addresses too (only for receivers on your own network). */
  readonly webhookAllowPrivate: boolean;
  readonly bodyLimitBytes: number;
  /** Largest body of POST /api/admin/jobs/import (JSON Lines); larger files: `reelqueue jobs import`. */
  readonly importBodyLimitBytes: number;
  /** Workers `reelqueue serve` runs in its process (0: API only). */
  readonly serveWorkers: number;
  readonly adminKey: string | undefined;
  readonly ffmpegPath: string | undefined;
  readonly ffprobePath: string | undefined;
  readonly dataDir: string;
  /** The OpenAI-compatible endpoint that polishes narration (`use_llm_polish`); undefined: polish is off. */
  readonly llm: LlmConfig | undefined;
  /** The OpenAI-compatible speech endpoint that speaks the narration; undefined: eSpeak NG does. */
  readonly tts: TtsConfig | undefined;
  readonly logLevel: Settings['LOG_LEVEL'];
}

/** An OpenAI-compatible chat-completions endpoint (llama.cpp, vLLM, Ollama, OpenAI itself). */
export interface LlmConfig {
  /** Without a trailing slash; requests go to `${baseUrl}/chat/completions`. */
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly model: string;
  /** Longest wait for one slide's answer. */
  readonly timeoutSeconds: number;
  /** Largest answer body read; a longer one is refused and the slide keeps its text. */
  readonly maxResponseBytes: number;
  /** Slides polished at once. */
  readonly concurrency: number;
}

/** An OpenAI-compatible `/audio/speech` endpoint (OpenAI, Kokoro-FastAPI, openedai-speech, LocalAI). */
export interface TtsConfig {
  /** Without a trailing slash; requests go to `${baseUrl}/audio/speech`. */
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly model: string;
  /** Job voice (or `*`) → the provider's voice name; a job voice not in it is sent as it is. */
  readonly voices: Readonly<Record<string, string>>;
  readonly speed: number;
  /** `wav`, or `pcm` (headerless 24 kHz 16-bit mono, as OpenAI sends it). */
  readonly responseFormat: 'wav' | 'pcm';
  /** Longest wait for one sentence's audio. */
  readonly timeoutSeconds: number;
  /** Largest audio body read for one sentence. */
  readonly maxResponseBytes: number;
  /** When the endpoint fails: speak the whole narration with eSpeak NG instead, or fail the job. */
  readonly fallback: 'espeak' | 'fail';
}

/** A setting's value as an error may show it: never a key, nor a password inside a URL. */
function shownValue(name: string, value: unknown): unknown {
  if ((name === 'LLM_API_KEY' || name === 'TTS_API_KEY') && value !== undefined) return '(hidden)';
  return typeof value === 'string' ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@') : value;
}

function configProblem(setting: string, value: unknown, problem: string): ReelqueueError {
  return new ReelqueueError(
    'CONFIG_INVALID',
    `Invalid configuration: ${setting}=${JSON.stringify(value)}: ${problem}`,
    {
      problems: [{ setting, value, problem }],
    },
  );
}

function llmConfig(s: Settings): LlmConfig | undefined {
  if (s.LLM_BASE_URL === undefined) {
    for (const name of ['LLM_API_KEY', 'LLM_MODEL'] as const) {
      if (s[name] !== undefined) {
        throw configProblem(
          name,
          name === 'LLM_API_KEY' ? '(set)' : s[name],
          'is set but LLM_BASE_URL is not: set LLM_BASE_URL too, or remove it',
        );
      }
    }
    return undefined;
  }
  if (s.LLM_MODEL === undefined) {
    throw configProblem(
      'LLM_MODEL',
      undefined,
      'is required with LLM_BASE_URL: the model name the server serves (for example llama3.2 with Ollama; llama.cpp accepts any name)',
    );
  }
  return Object.freeze({
    baseUrl: s.LLM_BASE_URL.replace(/\/+$/, ''),
    apiKey: s.LLM_API_KEY,
    model: s.LLM_MODEL,
    timeoutSeconds: s.LLM_TIMEOUT_SECONDS,
    maxResponseBytes: s.LLM_MAX_RESPONSE_BYTES,
    concurrency: s.LLM_CONCURRENCY,
  });
}

function ttsConfig(s: Settings): TtsConfig | undefined {
  if (s.TTS_BASE_URL === undefined) {
    for (const name of ['TTS_API_KEY', 'TTS_MODEL', 'TTS_VOICES'] as const) {
      if (s[name] !== undefined) {
        throw configProblem(
          name,
          name === 'TTS_MODEL' ? s[name] : '(set)',
          'is set but TTS_BASE_URL is not: set TTS_BASE_URL too, or remove it',
        );
      }
    }
    return undefined;
  }
  if (s.TTS_MODEL === undefined) {
    throw configProblem(
      'TTS_MODEL',
      undefined,
      'is required with TTS_BASE_URL: the speech model the server serves (for example tts-1 with OpenAI, kokoro with Kokoro-FastAPI)',
    );
  }
  return Object.freeze({
    baseUrl: s.TTS_BASE_URL.replace(/\/+$/, ''),
    apiKey: s.TTS_API_KEY,
    model: s.TTS_MODEL,
    voices: Object.freeze({ ...s.TTS_VOICES }),
    speed: s.TTS_SPEED,
    responseFormat: s.TTS_RESPONSE_FORMAT,
    timeoutSeconds: s.TTS_TIMEOUT_SECONDS,
    maxResponseBytes: s.TTS_MAX_RESPONSE_BYTES,
    fallback: s.TTS_FALLBACK,
  });
}

/**
 * Resolves the configuration from environment variables (and overrides, which win), validating each
 * setting. Throws a `CONFIG_INVALID` error that names every bad setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: SettingsInput = {}): Config {
  const raw: Record<string, unknown> = {};
  const aliased = aliasedSettings(env, overrides);
  for (const name of Object.keys(settings) as SettingName[]) {
    const value = overrides[name] ?? env[name];
    raw[name] = value === '' || value === undefined ? aliased[name] : value;
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return { setting: name, value: shownValue(name, raw[name]), problem: issue.message };
    });
    const summary = problems.map((p) => `${p.setting}=${JSON.stringify(p.value)}: ${p.problem}`).join('; ');
    throw new ReelqueueError('CONFIG_INVALID', `Invalid configuration: ${summary}`, { problems });
  }
  const s = parsed.data;
  if (s.WAKE_UPS === 'redis' && s.REDIS_URL === undefined) {
    throw configProblem('WAKE_UPS', s.WAKE_UPS, 'needs REDIS_URL: set it, or choose listen or poll');
  }
  if (s.HEARTBEAT_SECONDS >= s.LEASE_SECONDS) {
    throw new ReelqueueError(
      'CONFIG_INVALID',
      `Invalid configuration: HEARTBEAT_SECONDS=${s.HEARTBEAT_SECONDS} must be shorter than LEASE_SECONDS=${s.LEASE_SECONDS}`,
      {
        problems: [
          { setting: 'HEARTBEAT_SECONDS', value: s.HEARTBEAT_SECONDS, problem: 'not below LEASE_SECONDS' },
        ],
      },
    );
  }
  return Object.freeze({
    // One spelling from here on: sqlite:<absolute path>, whichever form was written (database-url.ts).
    databaseUrl: normalDatabaseUrl(s.DATABASE_URL),
    databaseSchema: s.DATABASE_SCHEMA,
    databasePoolSize: s.DATABASE_POOL_SIZE,
    databaseListenUrl: s.DATABASE_LISTEN_URL,
    wakeUps: s.WAKE_UPS,
    databasePreparedStatements: s.DATABASE_PREPARED_STATEMENTS,
    redisUrl: s.REDIS_URL,
    statusCacheSeconds: s.STATUS_CACHE_SECONDS,
    port: s.PORT,
    host: s.HOST,
    workerConcurrency: s.WORKER_CONCURRENCY,
    workerPrefetch: s.WORKER_PREFETCH,
    workerPrefetchWindowMs: s.WORKER_PREFETCH_WINDOW_MS,
    jobTimeoutSeconds: Math.round(s.JOB_TIMEOUT_MINUTES * 60),
    maxRetries: s.MAX_RETRIES,
    maxLostAttempts: s.MAX_LOST_ATTEMPTS,
    retryDelaysSeconds: Object.freeze([...s.RETRY_DELAYS]),
    retryJitter: s.RETRY_JITTER,
    cleanupMaxAgeHours: s.CLEANUP_MAX_AGE_HOURS,
    cleanupIntervalMinutes: s.CLEANUP_INTERVAL_MINUTES,
    cleanupStatuses: (s.CLEANUP_STATUSES ?? '')
      .split(',')
      .map((status) => status.trim())
      .filter((status) => status !== ''),
    videoRetentionHours: s.VIDEO_RETENTION_HOURS,
    clearLessonTextAfterSuccess: s.CLEAR_LESSON_TEXT_AFTER_SUCCESS,
    splitRenderMinSlides: s.SPLIT_RENDER_MIN_SLIDES,
    splitRenderSegmentSlides: s.SPLIT_RENDER_SEGMENT_SLIDES,
    lessonMaxScriptChars: s.LESSON_MAX_SCRIPT_CHARS,
    orphanedJobTimeoutMinutes: s.ORPHANED_JOB_TIMEOUT_MINUTES,
    heartbeatSeconds: s.HEARTBEAT_SECONDS,
    leaseSeconds: s.LEASE_SECONDS,
    reaperIntervalSeconds: s.REAPER_INTERVAL_SECONDS,
    pollIntervalMs: s.POLL_INTERVAL_MS,
    shutdownGraceSeconds: s.SHUTDOWN_GRACE_SECONDS,
    abortGraceSeconds: s.ABORT_GRACE_SECONDS,
    sqliteBusyTimeoutMs: s.SQLITE_BUSY_TIMEOUT_MS,
    sqliteBusyRetryMs: s.SQLITE_BUSY_RETRY_MS,
    jobCostPoints: s.JOB_COST_POINTS,
    maxActiveJobsPerUser: s.MAX_ACTIVE_JOBS_PER_USER,
    rateLimitPerMinute: s.RATE_LIMIT_PER_MINUTE,
    adminMaxActiveJobs: s.ADMIN_MAX_ACTIVE_JOBS,
    adminRateLimitPerMinute: s.ADMIN_RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: s.AUTH_FAILURES_PER_MINUTE,
    apiKeyCacheSeconds: s.API_KEY_CACHE_SECONDS,
    webhookAllowPrivate: s.WEBHOOK_ALLOW_PRIVATE,
    bodyLimitBytes: s.BODY_LIMIT_BYTES,
    importBodyLimitBytes: s.IMPORT_BODY_LIMIT_BYTES,
    serveWorkers: s.SERVE_WORKERS,
    adminKey: s.REELQUEUE_ADMIN_KEY,
    ffmpegPath: s.FFMPEG_PATH,
    ffprobePath: s.FFPROBE_PATH,
    dataDir: s.DATA_DIR,
    llm: llmConfig(s),
    tts: ttsConfig(s),
    logLevel: s.LOG_LEVEL,
  });
}
