/**
 * The `presentation-segment` job kind: draws and encodes one run of a split render's shots as a
 * video-only MP4 (the same ffmpeg command as a pass of the single render's segmented encode, so the
 * pieces join without re-encoding), and stores it as a `segment-video` artifact under its lease.
 * Segments are ordinary durable jobs: a worker that dies mid-segment costs that segment only (its
 * lease lapses and another worker runs it again).
 *
 * Segments have no owner (user_id null: they are in no user's listing, cost no points); the
 * presentation they belong to is `owner_id`. While one runs it looks at its presentation about once
 * a second: when that ended (cancelled, failed, timed out) or is gone, the segment cancels itself,
 * which stops its ffmpeg like any cancel, and removes its siblings (leftover-segments.ts). The kind's
 * `sweep` (ended-presentations.ts) deletes the segments of an ended presentation once they stopped,
 * and cancels those nobody runs, whether or not a segment was running to see the end.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactStore } from '../../artifacts/store.js';
import { burnFontSize, linkFonts } from '../captions/burn.js';
import { formatWebVtt } from '../captions/webvtt.js';
import { resolveFfmpegBinaries } from '../ffmpeg/binaries.js';
import { encodeArgs, type BurnedCaptions, type EncodeSlide } from '../ffmpeg/encode-args.js';
import { createProgressParser } from '../ffmpeg/progress.js';
import { runProcess } from '../ffmpeg/run-process.js';
import { withDrawableImages } from '../images/drawable-images.js';
import { parsePresentationRequest } from '../lesson/payload.js';
import { publicRenderError } from '../render-failure.js';
import { videoSequence, type SequenceItem } from '../sequence.js';
import { drawSlides } from '../slides/draw-slides.js';
import { loadSlideFonts } from '../slides/fonts.js';
import { createWorkDir, defaultWorkRoot } from '../work-dirs.js';
import type { JobKind } from '../../jobs/kinds.js';
import { leaseOf, type JobStatus } from '../../jobs/model.js';
import { ALL_JOBS, type JobStore } from '../../jobs/store.js';
import { sweepEndedPresentations } from './ended-presentations.js';
import { removeSegmentsOf } from './leftover-segments.js';
import { segmentsPercent, type SegmentShare } from './progress-shares.js';
import { parseSegmentPayload, segmentPayloadJson, SEGMENT_KIND, SEGMENT_VIDEO } from './segment-payload.js';

export interface SegmentKindOptions {
  artifacts: ArtifactStore;
  jobs: Pick<JobStore, 'get' | 'cancel' | 'dependencies' | 'reportWaitingProgress' | 'list' | 'deleteJob'>;
  deploymentId: () => Promise<string>;
  workRoot?: string;
  ffmpegPath?: string | undefined;
  fontDir?: string | undefined;
  /** How often a running segment looks at its presentation's status; default 1000 ms. */
  ownerCheckMs?: number;
  /** LESSON_MAX_SCRIPT_CHARS: the segment parses its presentation's lesson as any render does. */
  maxScriptChars: number;
}

const OWNER_ENDED: readonly JobStatus[] = ['cancelled', 'failed', 'timeout', 'completed'];

/** Calls `onEnded` once when the owner job ended or is gone; returns the stop function. */
function watchOwner(
  jobs: SegmentKindOptions['jobs'],
  ownerId: string,
  everyMs: number,
  onEnded: (status: JobStatus | 'gone') => Promise<void>,
): () => void {
  let fired = false;
  let busy = false;
  const check = async (): Promise<void> => {
    if (fired || busy) return;
    busy = true;
    try {
      const owner = await jobs.get(ownerId, ALL_JOBS);
      if (!owner || OWNER_ENDED.includes(owner.status)) {
        fired = true;
        await onEnded(owner?.status ?? 'gone');
      }
    } catch {
      // A failed look is tried again at the next tick; the heartbeat carries any cancel meanwhile.
    } finally {
      busy = false;
    }
  };
  void check();
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Writes the owner's progress: the frames of all its segments done so far, this one at `fraction`. */
async function reportOwnerProgress(
  jobs: SegmentKindOptions['jobs'],
  self: { id: string; ownerId: string; frames: number; fraction: number },
): Promise<void> {
  const family = await jobs.dependencies(self.ownerId, ALL_JOBS);
  if (!family) return;
  const siblings = await Promise.all(
    family.parentIds.map((id) => (id === self.id ? null : jobs.get(id, ALL_JOBS))),
  );
  const shares: SegmentShare[] = [
    { frames: self.frames, status: 'running', progress: 100 * self.fraction },
    ...siblings.flatMap((job) =>
      job && job.kind === SEGMENT_KIND && job.payload.owner_id === self.ownerId
        ? [{ frames: Number(job.payload.frames), status: job.status, progress: job.progress }]
        : [],
    ),
  ];
  const done = shares.filter((share) => share.status === 'completed').length + (self.fraction >= 1 ? 1 : 0);
  await jobs.reportWaitingProgress(self.ownerId, {
    progress: segmentsPercent(shares),
    stage: 'encode',
    message: `Rendering on the workers: ${done} of ${shares.length} segments done`,
  });
}

/**
 * At most one owner report a second while the segment runs, and the last one always: a forced
 * report waits for the one in flight and then writes its own (skipping it lost the final 85 % when a
 * report was still being written as the encode ended, seen in CI).
 */
export function ownerReporter(
  jobs: SegmentKindOptions['jobs'],
  self: { id: string; ownerId: string; frames: number },
): (fraction: number, force?: boolean) => Promise<void> {
  let lastAt = 0;
  let inFlight: Promise<void> | null = null;
  const write = async (fraction: number): Promise<void> => {
    try {
      await reportOwnerProgress(jobs, { ...self, fraction });
    } catch {
      // The owner's bar is a view of the segments: a missed report is made good by the next one.
    }
  };
  return async (fraction, force = false) => {
    if (force) {
      while (inFlight) await inFlight;
    } else if (inFlight || Date.now() - lastAt < 1000) {
      return;
    }
    lastAt = Date.now();
    const report = write(fraction);
    inFlight = report;
    try {
      await report;
    } finally {
      if (inFlight === report) inFlight = null;
    }
  };
}

export function presentationSegmentKind(options: SegmentKindOptions): JobKind {
  const workRoot = options.workRoot ?? defaultWorkRoot();
  return {
    name: SEGMENT_KIND,
    parsePayload: (input) => segmentPayloadJson(parseSegmentPayload(input)),
    sweep: () => sweepEndedPresentations(options.jobs, options.artifacts),
    async run({ job, payload, signal, progress }) {
      const started = performance.now();
      const segment = parseSegmentPayload(payload);
      const stopWatching = watchOwner(
        options.jobs,
        segment.ownerId,
        options.ownerCheckMs ?? 1000,
        async (status) => {
          const reason = `its presentation ${segment.ownerId} is ${status}`;
          await options.jobs.cancel(job.id, reason, ALL_JOBS);
          // Nobody will join its siblings either: the ended ones go now, the open ones are cancelled.
          await removeSegmentsOf(options.jobs, segment.ownerId, reason, new Set([job.id]));
        },
      );
      const reportOwner = ownerReporter(options.jobs, {
        id: job.id,
        ownerId: segment.ownerId,
        frames: segment.frames,
      });
      const workDir = await createWorkDir(workRoot, await options.deploymentId(), job.id);
      try {
        const label = `segment ${segment.index + 1} of ${segment.count}`;
        await progress('draw', 0, `Drawing ${label}`);
        const request = parsePresentationRequest(segment.presentation, options.maxScriptChars);
        const binaries = resolveFfmpegBinaries({ ffmpegPath: options.ffmpegPath });
        const fonts = await loadSlideFonts(options.fontDir);
        const lesson = await withDrawableImages(request.lesson, {
          dir: workDir,
          ffmpegPath: binaries.ffmpeg,
          signal,
        });
        const drawable = { ...request, lesson };
        const sequence = videoSequence(drawable);
        const items = segment.items.map((index) => sequence[index] as SequenceItem);
        const drawn = await drawSlides(drawable, items, {
          dir: workDir,
          fonts,
          signal,
          onDrawn: (done, total) =>
            void progress('draw', (20 * done) / total, `Drawing ${label}`).catch(() => undefined),
        });
        const drawnAt = performance.now();
        const position = new Map(segment.items.map((item, at) => [item, at]));
        const slides = segment.shots.map((shot): EncodeSlide => {
          const at = position.get(shot.item) as number;
          return {
            imagePath:
              shot.shownBullets === undefined
                ? (drawn.slidePaths[at] as string)
                : (drawn.revealPaths[at]?.[shot.shownBullets - 1] as string),
            frames: shot.frames,
            ...(drawn.scrollPixels ? { scrollPixels: drawn.scrollPixels[at] as number } : {}),
            ...(drawn.overlaid ? { overlaid: drawn.overlaid[at] as boolean } : {}),
          };
        });
        let burned: BurnedCaptions | undefined;
        if (segment.burnedCues !== null) {
          await writeFile(join(workDir, 'burned.vtt'), formatWebVtt(segment.burnedCues));
          burned = {
            fileName: 'burned.vtt',
            fontsDirName: await linkFonts(workDir, fonts),
            fontSize: burnFontSize(request.resolution.width, request.resolution.height),
          };
        }
        const outputPath = join(workDir, 'segment.mp4');
        const args = encodeArgs({
          slides,
          ...(drawn.overlayPath ? { overlayPath: drawn.overlayPath } : {}),
          outputPath,
          width: request.resolution.width,
          height: request.resolution.height,
          fps: segment.fps,
          ...(burned && { burned }),
        });
        const parse = createProgressParser((report) => {
          const frames = report.frame ?? (report.outTimeSeconds ?? 0) * segment.fps;
          const percent = 20 + (70 * Math.min(frames, segment.frames)) / segment.frames;
          void progress('encode', percent, `Encoding ${label}`).catch(() => undefined);
          void reportOwner(percent / 100);
        });
        await runProcess(binaries.ffmpeg, args, { signal, onStdout: parse, cwd: workDir });
        const encodedAt = performance.now();
        await progress('store', 90, `Storing ${label}`);
        const video = await options.artifacts.writeFile(outputPath, {
          lease: leaseOf(job),
          kind: SEGMENT_VIDEO,
          contentType: 'video/mp4',
          signal,
        });
        const stored = performance.now();
        await reportOwner(1, true);
        return {
          owner_id: segment.ownerId,
          index: segment.index,
          first_frame: segment.firstFrame,
          frames: segment.frames,
          video_artifact_id: video.id,
          video_size_bytes: video.size,
          draw_seconds: Math.round(drawnAt - started) / 1000,
          encode_seconds: Math.round(encodedAt - drawnAt) / 1000,
          store_seconds: Math.round(stored - encodedAt) / 1000,
        };
      } catch (error) {
        throw publicRenderError(error, { workDir, workRoot, ttsCacheDir: workDir }, signal);
      } finally {
        stopWatching();
        await rm(workDir, { recursive: true, force: true });
      }
    },
  };
}
