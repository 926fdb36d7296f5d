/**
 * A long presentation rendered by many workers at once, still one job to its user. The job's
 * handler runs in phases, told apart by what the database holds:
 *
 * 1. No `split-plan` artifact: plan (plan.ts: polish, speak, timeline, captions, thumbnail), store
 *    the narration, thumbnail and captions, queue one `presentation-segment` job per run of slides,
 *    store the plan (the segments' ids and what the result needs), then hand the worker back with
 *    `waitFor`: the job is `waiting` on its segments, holds no worker slot, uses up no attempt.
 * 2. The plan is there and a segment is still running (the job came back early): wait again.
 * 2b. The plan is there but its segments are gone (an ended attempt's, removed by the segment kind's
 *    sweep, ended-presentations.ts, and the job was retried): plan again.
 * 3. Every segment completed: join them (assemble.ts), store the video, delete the segments (jobs
 *    and videos) and the narration and plan, and return the result a single render returns.
 *    A segment that ended otherwise (failed after its retries, cancelled, timed out) fails the job
 *    with SPLIT_SEGMENT_FAILED and drops the plan, so a manual retry plans again.
 */
import { Readable } from 'node:stream';
import type { ArtifactStore } from '../../artifacts/store.js';
import { ReelqueueError } from '../../errors.js';
import type { JobContext } from '../../jobs/kinds.js';
import { KindRegistry } from '../../jobs/kinds.js';
import { leaseOf, type Job, type JsonObject } from '../../jobs/model.js';
import { resolveNewJob } from '../../jobs/new-job.js';
import { ALL_JOBS, type JobStore } from '../../jobs/store.js';
import { cuesBetween } from '../captions/cues.js';
import { resolveFfmpegBinaries } from '../ffmpeg/binaries.js';
import { presentationPayload } from '../lesson/payload.js';
import type { RenderPresentationOptions } from '../pipeline.js';
import { assembleSegments } from './assemble.js';
import { PLAN_SHARE, SEGMENTS_DONE } from './progress-shares.js';
import { planSplitRender, type PlannedSplitRender } from './plan.js';
import { segmentPayloadJson, SEGMENT_KIND } from './segment-payload.js';
import { removeSegmentsOf } from './leftover-segments.js';
import type { JobKind } from '../../jobs/kinds.js';

export const SPLIT_PLAN = 'split-plan';
export const SPLIT_NARRATION = 'split-narration';

export interface SplitRenderSettings {
  /** Split a presentation of at least this many slides; 0 never splits (SPLIT_RENDER_MIN_SLIDES). */
  readonly minSlides: number;
  /** Slides (items of the sequence) per segment (SPLIT_RENDER_SEGMENT_SLIDES). */
  readonly segmentSlides: number;
  readonly jobs: Pick<JobStore, 'get' | 'enqueueMany' | 'deleteJob' | 'list' | 'cancel'>;
  /** The segment kind, to check the segments' payloads as any enqueue does. */
  readonly segmentKind: JobKind;
}

/** Whether this payload (a normalised presentation payload) is rendered split. */
export function rendersSplit(payload: JsonObject, settings: SplitRenderSettings | undefined): boolean {
  if (!settings || settings.minSlides === 0) return false;
  const lesson = payload.lesson;
  const slides = lesson && typeof lesson === 'object' && !Array.isArray(lesson) ? lesson.slides : undefined;
  return Array.isArray(slides) && slides.length >= settings.minSlides;
}

/** What the plan artifact holds between the first run and the last. */
interface StoredPlan {
  segment_ids: string[];
  narration_artifact_id: string;
  thumbnail_artifact_id: string;
  captions_artifact_id: string | null;
  subtitle_language: string;
  metadata: string;
  total_frames: number;
  fps: number;
  /** How long the planning run took (parse, polish, speak, timeline, store, queue the segments). */
  plan_seconds?: number;
  /** The result fields the plan decided (all but the video's). */
  result: JsonObject;
}

async function readJsonArtifact(artifacts: ArtifactStore, id: string): Promise<StoredPlan> {
  const chunks: Buffer[] = [];
  for await (const chunk of artifacts.read(id)) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as StoredPlan;
}

const OPEN = new Set(['pending', 'running', 'waiting']);

export interface SplitRunOptions {
  readonly context: JobContext;
  readonly artifacts: ArtifactStore;
  readonly settings: SplitRenderSettings;
  /** The render options of the single render (payload, work folder, speech, polish …). */
  readonly render: RenderPresentationOptions & { readonly signal: AbortSignal };
  /** The result fields of the polish, known once it ran. */
  readonly polishResult: () => JsonObject;
}

export async function runSplitPresentation(options: SplitRunOptions): Promise<JsonObject> {
  const { context, artifacts } = options;
  const found = await artifacts.find(context.job.id, SPLIT_PLAN);
  if (found === null) return plan(options);
  const stored = await readJsonArtifact(artifacts, found.id);
  const segments = await Promise.all(stored.segment_ids.map((id) => options.settings.jobs.get(id, ALL_JOBS)));
  if (segments.some((segment) => segment === null)) {
    // Its segments were removed: an earlier attempt ended (cancelled, timed out) and the segment
    // kind's sweep deleted them, and this is a retry. Nothing is left to join: plan again.
    await artifacts.delete(stored.narration_artifact_id);
    await artifacts.delete(found.id);
    return plan(options);
  }
  const open = segments.filter((segment): segment is Job => segment !== null && OPEN.has(segment.status));
  if (open.length > 0) {
    throw context.waitFor(
      open.map((segment) => segment.id),
      `Rendering: ${segments.length - open.length} of ${segments.length} segments done`,
    );
  }
  const unsuccessful = segments.findIndex((segment) => segment?.status !== 'completed');
  if (unsuccessful >= 0) {
    // A failed job keeps none of its segments (they carry the lesson text): a manual retry plans
    // again from a clean slate, its bar counting only the new ones.
    const segment = segments[unsuccessful];
    await removeSegmentsOf(options.settings.jobs, context.job.id, 'its presentation failed');
    await artifacts.delete(stored.narration_artifact_id);
    await artifacts.delete(found.id);
    throw new ReelqueueError(
      'SPLIT_SEGMENT_FAILED',
      `Segment ${unsuccessful + 1} of ${segments.length} of the split render ${
        segment ? `ended ${segment.status}` : 'is gone'
      }${segment?.errorMessage ? `: ${segment.errorMessage}` : ''}`,
      {
        segment_id: stored.segment_ids[unsuccessful] ?? null,
        segment_status: segment?.status ?? null,
        segment_error_code: segment?.errorCode ?? null,
      },
    );
  }
  return assemble(options, stored, found.id, segments as Job[]);
}

async function plan(options: SplitRunOptions): Promise<JsonObject> {
  const { context, artifacts, settings } = options;
  const { job, signal } = context;
  const started = performance.now();
  const lease = leaseOf(job);
  // Segments of an earlier run that stored no plan (it crashed after queuing them): never joined.
  await removeSegmentsOf(settings.jobs, job.id, 'its presentation plans again');
  const planned = await planSplitRender({
    ...options.render,
    itemsPerSegment: settings.segmentSlides,
    onProgress: (stage, percent, message, data) =>
      context.progress(stage, (percent * PLAN_SHARE) / 100, message, data),
  });
  await context.progress('store', PLAN_SHARE, 'Storing the narration');
  const narration = await artifacts.writeFile(planned.narrationPath, {
    lease,
    kind: SPLIT_NARRATION,
    contentType: 'audio/wav',
    signal,
  });
  const thumbnail = await artifacts.writeFile(planned.thumbnailPath, {
    lease,
    kind: 'thumbnail',
    contentType: 'image/png',
    signal,
  });
  const captions =
    planned.captionsPath === undefined
      ? null
      : await artifacts.writeFile(planned.captionsPath, {
          lease,
          kind: 'captions',
          contentType: 'text/vtt; charset=utf-8',
          signal,
        });
  const segmentIds = await queueSegments(job, planned, settings);
  const stored: StoredPlan = {
    segment_ids: segmentIds,
    narration_artifact_id: narration.id,
    thumbnail_artifact_id: thumbnail.id,
    captions_artifact_id: captions?.id ?? null,
    subtitle_language: planned.subtitleLanguage,
    metadata: planned.metadata,
    total_frames: planned.totalFrames,
    fps: planned.fps,
    plan_seconds: Math.round(performance.now() - started) / 1000,
    result: planResult(planned, captions?.id ?? null, thumbnail.id, options.polishResult()),
  };
  await artifacts.write({
    source: Readable.from([Buffer.from(JSON.stringify(stored))]),
    lease,
    kind: SPLIT_PLAN,
    contentType: 'application/json',
    signal,
  });
  throw context.waitFor(segmentIds, `Rendering ${segmentIds.length} segments on the workers`);
}

async function queueSegments(
  owner: Job,
  planned: PlannedSplitRender,
  settings: SplitRenderSettings,
): Promise<string[]> {
  const registry = new KindRegistry([settings.segmentKind]);
  const presentation = presentationPayload(planned.request);
  const burned = planned.request.captions === 'burned';
  const jobs = planned.segments.map((segment) =>
    resolveNewJob(
      {
        kind: SEGMENT_KIND,
        userId: null,
        priority: owner.priority,
        payload: segmentPayloadJson({
          ownerId: owner.id,
          index: segment.index,
          count: planned.segments.length,
          presentation,
          fps: planned.fps,
          firstFrame: segment.firstFrame,
          frames: segment.frames,
          items: segment.items,
          shots: segment.shots,
          burnedCues: burned
            ? cuesBetween(
                planned.cues,
                segment.firstFrame / planned.fps,
                (segment.firstFrame + segment.frames) / planned.fps,
              )
            : null,
        }),
      },
      registry,
      { jobTimeoutSeconds: owner.timeoutSeconds, maxRetries: owner.maxRetries },
    ),
  );
  const results = await settings.jobs.enqueueMany(jobs);
  return results.map((result) => result.job.id);
}

function planResult(
  planned: PlannedSplitRender,
  captionsId: string | null,
  thumbnailId: string,
  polish: JsonObject,
): JsonObject {
  const { request } = planned;
  return {
    slide_count: request.lesson.slides.length,
    slide_start_times: [...planned.slideStartTimes],
    width: request.resolution.width,
    height: request.resolution.height,
    style: request.style,
    voice: request.voice,
    speech: { ...planned.speech },
    thumbnail_artifact_id: thumbnailId,
    captions: request.captions,
    captions_artifact_id: captionsId,
    caption_cue_count: planned.cues.length,
    chapters: planned.chapters.map((chapter) => ({
      title: chapter.title,
      start_seconds: chapter.startSeconds,
    })),
    slide_images: planned.slideImages.map((image) => ({ ...image })),
    ...polish,
  };
}

async function assemble(
  options: SplitRunOptions,
  stored: StoredPlan,
  planId: string,
  segments: readonly Job[],
): Promise<JsonObject> {
  const { context, artifacts, settings } = options;
  const { job, signal } = context;
  const started = performance.now();
  const binaries = resolveFfmpegBinaries(options.render);
  await context.progress('encode', SEGMENTS_DONE, 'Joining the segments');
  const assembled = await assembleSegments(artifacts, {
    workDir: options.render.workDir,
    segmentArtifactIds: segments.map((segment) => String(segment.result?.video_artifact_id)),
    narrationArtifactId: stored.narration_artifact_id,
    captionsArtifactId: stored.captions_artifact_id,
    subtitleLanguage: stored.subtitle_language,
    metadata: stored.metadata,
    totalFrames: stored.total_frames,
    fps: stored.fps,
    ffmpegPath: binaries.ffmpeg,
    ffprobePath: binaries.ffprobe,
    signal,
    onProgress: (fraction) =>
      void context
        .progress('encode', SEGMENTS_DONE + fraction * 7, 'Joining the segments')
        .catch(() => undefined),
  });
  await context.progress('store', 92, 'Storing the video in the database');
  const video = await artifacts.writeFile(assembled.videoPath, {
    lease: leaseOf(job),
    kind: 'video',
    contentType: 'video/mp4',
    signal,
  });
  await context.progress('store', 97, 'Removing the segments');
  await removeSegmentsOf(settings.jobs, job.id, 'its presentation is joined');
  await artifacts.delete(stored.narration_artifact_id);
  await artifacts.delete(planId);
  const segmentTimings = segments.map((segment) => ({
    index: Number(segment.result?.index),
    frames: Number(segment.result?.frames),
    draw_seconds: Number(segment.result?.draw_seconds),
    encode_seconds: Number(segment.result?.encode_seconds),
    store_seconds: Number(segment.result?.store_seconds),
    worker_id: segment.workerId,
  }));
  return {
    presentation_id: job.id,
    ...stored.result,
    duration_sec: Math.round(assembled.durationSeconds * 1000) / 1000,
    video_artifact_id: video.id,
    video_size_bytes: video.size,
    video_sha256: video.sha256,
    split_render: {
      plan_seconds: stored.plan_seconds ?? null,
      segments: segmentTimings,
      assemble_seconds: Math.round(performance.now() - started) / 1000,
    },
  };
}
