/**
 * The `presentation` job kind: renders the lesson in a temp folder of its own, stores the video,
 * thumbnail and captions (WebVTT) in the database under the job's lease, and returns the result fields
 * of the seeds plus the chapters.
 */
import { rm } from 'node:fs/promises';
import type { ArtifactStore } from '../artifacts/store.js';
import type { LlmConfig, TtsConfig } from '../config.js';
import { isJsonObject, WaitForJobs, type JobKind } from '../jobs/kinds.js';
import { leaseOf, type JsonObject } from '../jobs/model.js';
import { parsePresentationPayload } from './lesson/payload.js';
import { renderPresentation } from './pipeline.js';
import { lessonPolisher, POLISH_SHARE_OF_TIMEOUT } from './polish/lesson-polisher.js';
import type { PolishState } from './polish/polish-report.js';
import { createWorkDir, defaultWorkRoot } from './work-dirs.js';
import { publicRenderError } from './render-failure.js';
import { rendersSplit, runSplitPresentation, type SplitRenderSettings } from './split/split-presentation.js';

export interface PresentationKindOptions {
  artifacts: ArtifactStore;
  /** Where speech clips are cached between attempts (DATA_DIR/tts-cache). */
  ttsCacheDir: string;
  ffmpegPath?: string | undefined;
  ffprobePath?: string | undefined;
  /** The deployment's id (`OpenDatabase.deploymentId`): its work folders are namespaced by it. */
  deploymentId: () => Promise<string>;
  /** Parent of the deployments' work folders; default `<os tmp>/reelqueue`. */
  workRoot?: string;
  /** The endpoint for `use_llm_polish` (LLM_BASE_URL …); without it the flag is a no-op, said in the job. */
  llm?: LlmConfig | undefined;
  /** The speech endpoint (TTS_BASE_URL …); without it eSpeak NG speaks. */
  tts?: TtsConfig | undefined;
  /** Long lessons rendered by many workers (src/render/split); without it every render is one job. */
  split?: SplitRenderSettings | undefined;
  /** LESSON_MAX_SCRIPT_CHARS: the most text a lesson may hold, at enqueue and when it renders. */
  maxScriptChars: number;
}

/** Rendering is this share of the job's progress; storing the files is the rest. */
const RENDER_SHARE = 0.9;

function polishResult(
  asked: boolean,
  outcome: { state: PolishState; details: JsonObject } | undefined,
): JsonObject {
  if (outcome) return { llm_polish: outcome.state, llm_polish_details: outcome.details };
  const state: PolishState = asked ? 'not configured' : 'off';
  return { llm_polish: state };
}

export function presentationKind(options: PresentationKindOptions): JobKind {
  const workRoot = options.workRoot ?? defaultWorkRoot();
  return {
    name: 'presentation',
    parsePayload(input) {
      // The render options, plus the seeds' `use_llm_polish` flag (kept so the job reports it).
      const polish = isJsonObject(input) && input.use_llm_polish === true;
      return { ...parsePresentationPayload(input, options.maxScriptChars), use_llm_polish: polish };
    },
    async run(context) {
      const { job, payload, signal, progress } = context;
      const started = performance.now();
      const workDir = await createWorkDir(workRoot, await options.deploymentId(), job.id);
      try {
        const askedForPolish = payload.use_llm_polish === true;
        if (askedForPolish && !options.llm) {
          await progress(
            'plan',
            0,
            'LLM polish was asked for, but no LLM endpoint is configured (LLM_BASE_URL): using the script as written',
          );
        }
        // The polish step gets at most a share of the job's time, so a slow server cannot time the job out.
        const polisher =
          askedForPolish && options.llm
            ? lessonPolisher(
                options.llm,
                job.timeoutSeconds * 1000 * POLISH_SHARE_OF_TIMEOUT,
                options.maxScriptChars,
              )
            : undefined;
        if (options.split && rendersSplit(payload, options.split)) {
          const result = await runSplitPresentation({
            context,
            artifacts: options.artifacts,
            settings: options.split,
            render: {
              payload,
              workDir,
              signal,
              ttsCacheDir: options.ttsCacheDir,
              ffmpegPath: options.ffmpegPath,
              ffprobePath: options.ffprobePath,
              polish: polisher?.polish,
              speechProvider: options.tts,
              maxScriptChars: options.maxScriptChars,
            },
            polishResult: () => polishResult(askedForPolish, polisher?.outcome()),
          });
          return { ...result, processing_time_seconds: Math.round(performance.now() - started) / 1000 };
        }
        const rendered = await renderPresentation({
          payload,
          workDir,
          signal,
          ttsCacheDir: options.ttsCacheDir,
          ffmpegPath: options.ffmpegPath,
          ffprobePath: options.ffprobePath,
          polish: polisher?.polish,
          speechProvider: options.tts,
          maxScriptChars: options.maxScriptChars,
          onProgress: (stage, percent, message, data) =>
            progress(stage, percent * RENDER_SHARE, message, data),
        });
        const lease = leaseOf(job);
        await progress('store', 92, 'Storing the video in the database');
        const video = await options.artifacts.writeFile(rendered.videoPath, {
          lease,
          kind: 'video',
          contentType: 'video/mp4',
          signal,
        });
        await progress('store', 97, 'Storing the thumbnail');
        const thumbnail = await options.artifacts.writeFile(rendered.thumbnailPath, {
          lease,
          kind: 'thumbnail',
          contentType: 'image/png',
          signal,
        });
        const captions =
          rendered.captionsPath === undefined
            ? undefined
            : await options.artifacts.writeFile(rendered.captionsPath, {
                lease,
                kind: 'captions',
                contentType: 'text/vtt; charset=utf-8',
                signal,
              });
        return {
          presentation_id: job.id,
          slide_count: rendered.slideCount,
          duration_sec: Math.round(rendered.durationSeconds * 1000) / 1000,
          slide_start_times: rendered.slideStartTimes.map((t) => Math.round(t * 1000) / 1000),
          width: rendered.width,
          height: rendered.height,
          style: rendered.style,
          voice: rendered.voice,
          speech: rendered.speech,
          video_artifact_id: video.id,
          video_size_bytes: video.size,
          video_sha256: video.sha256,
          thumbnail_artifact_id: thumbnail.id,
          captions: rendered.captionMode,
          captions_artifact_id: captions?.id ?? null,
          caption_cue_count: rendered.captionCues.length,
          chapters: rendered.chapters.map((chapter) => ({
            title: chapter.title,
            start_seconds: chapter.startSeconds,
          })),
          slide_images: rendered.slideImages.map((image) => ({ ...image })),
          processing_time_seconds: Math.round(performance.now() - started) / 1000,
          ...polishResult(askedForPolish, polisher?.outcome()),
        };
      } catch (error) {
        if (error instanceof WaitForJobs) throw error;
        throw publicRenderError(error, { workDir, workRoot, ttsCacheDir: options.ttsCacheDir }, signal);
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
    },
  };
}
