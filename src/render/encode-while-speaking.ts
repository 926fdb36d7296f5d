/**
 * The encode, overlapped with speech. A slide's frames depend only on the lengths of the narration up
 * to and including it (the timeline's frame boundaries come from cumulative lengths), so as soon as
 * the first items of the sequence are spoken their video is encoded into a segment (video only,
 * starting on a keyframe) while the rest is still being spoken; once the narration is whole, the
 * segments are joined without re-encoding and given the narration, captions and chapters.
 *
 * The video is the one the whole narration gives, by construction: when the narration is whole,
 * every segment's plan is worked out again from it, and a segment planned differently (speech that
 * started over with another engine) is encoded again before the join.
 */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { captionCues, cuesBetween, type CaptionCue } from './captions/cues.js';
import {
  encodeSegment,
  frameCount,
  segmentName,
  SEGMENT_LIST,
  joinSegments,
  SLIDES_PER_PASS,
  type BurnOptions,
  type EncodeOptions,
} from './ffmpeg/encode.js';
import type { EncodePlan, EncodeSlide } from './ffmpeg/encode-args.js';
import { buildTimeline } from './ffmpeg/timeline.js';
import type { Narration } from './narration.js';
import { withFilesChecked } from './render-failure.js';
import { videoShots, type Shot } from './reveal.js';
import type { SequenceItem } from './sequence.js';
import type { DrawnSlides } from './slides/draw-slides.js';

/** What has been spoken so far: the first items whole, or (`whole`) the entire narration. */
export interface SpokenSoFar {
  readonly narration: Narration;
  readonly whole: boolean;
  /** Speech that starts over (another engine after a failed provider) has a new attempt number. */
  readonly attempt: number;
}

/** The latest of what has been spoken, and waiting for more. */
export class SpeechFeed {
  #latest: SpokenSoFar | undefined;
  #failure: { error: unknown } | undefined;
  #waiters = new Set<() => void>();

  update(spoken: SpokenSoFar): void {
    this.#latest = spoken;
    this.#wake();
  }

  /** Speech failed or was aborted: whoever waits gets the error. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.#wake();
  }

  /** The latest, once `enough` holds for it. */
  async when(enough: (spoken: SpokenSoFar) => boolean): Promise<SpokenSoFar> {
    for (;;) {
      if (this.#failure) throw this.#failure.error;
      if (this.#latest && enough(this.#latest)) return this.#latest;
      await new Promise<void>((resolve) => this.#waiters.add(resolve));
    }
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}

export interface EncodeWhileSpeakingOptions {
  readonly items: readonly SequenceItem[];
  /** Per item, how many bullets it reveals one by one (`revealedBullets`). */
  readonly bulletCounts: readonly number[];
  readonly drawn: DrawnSlides;
  /** Everything of the encode but its slides: the output, size, fps, narration and extras. */
  readonly plan: Omit<EncodePlan, 'slides' | 'burned'>;
  /** Burned captions: the cues come from the narration. */
  readonly burn?: Omit<BurnOptions, 'cues'> | undefined;
  readonly feed: SpeechFeed;
  readonly ffmpegPath: string;
  readonly signal: AbortSignal;
  /** Frames written into segments so far (the join is not counted). */
  readonly onFrames?: ((frames: number) => void) | undefined;
}

/** What a segment was encoded from: the same plan encodes the same video. */
interface Segment {
  readonly number: number;
  /** Shots [firstShot, endShot) of the video. */
  readonly firstShot: number;
  readonly endShot: number;
  readonly plan: string;
  readonly path: string;
}

/** The shots of the items whose frames are known, and where the first frame of each shot is. */
interface KnownShots {
  readonly shots: readonly Shot[];
  readonly firstFrames: readonly number[];
  readonly totalFrames: number;
  readonly cues: readonly CaptionCue[];
}

/** Items whose frames are known: all when whole; else the spoken ones (with burned captions, but the last). */
function knownItems(spoken: SpokenSoFar, itemCount: number, burning: boolean): number {
  if (spoken.whole) return itemCount;
  const count = spoken.narration.itemSeconds.length;
  // The last cue of a sentence ends no later than the next sentence starts: the captions of an item
  // are known once the next item is spoken.
  return burning ? count - 1 : count;
}

function knownShots(options: EncodeWhileSpeakingOptions, spoken: SpokenSoFar): KnownShots {
  const count = knownItems(spoken, options.items.length, options.burn !== undefined);
  const { itemSeconds, sentences } = spoken.narration;
  const items = options.items.slice(0, itemSeconds.length);
  const timeline = buildTimeline(itemSeconds, options.plan.fps);
  const shots = videoShots(items, options.bulletCounts, sentences, timeline).filter(
    (shot) => shot.item < count,
  );
  const firstFrames: number[] = [];
  let frames = 0;
  for (const shot of shots) {
    firstFrames.push(frames);
    frames += shot.frames;
  }
  return {
    shots,
    firstFrames,
    totalFrames: frames,
    cues: options.burn === undefined ? [] : captionCues(sentences),
  };
}

function segmentPath(plan: Pick<EncodePlan, 'outputPath'>, number: number): string {
  return join(dirname(plan.outputPath), segmentName(number));
}

/** The images and frames of shots, for the encode. */
export function encodeSlides(shots: readonly Shot[], drawn: DrawnSlides): EncodeSlide[] {
  return shots.map(({ item, shownBullets, frames }) => ({
    imagePath:
      shownBullets === undefined
        ? (drawn.slidePaths[item] as string)
        : (drawn.revealPaths[item]?.[shownBullets - 1] as string),
    frames,
    ...(drawn.scrollPixels ? { scrollPixels: drawn.scrollPixels[item] as number } : {}),
    ...(drawn.overlaid ? { overlaid: drawn.overlaid[item] as boolean } : {}),
  }));
}

function segmentPlan(
  options: EncodeWhileSpeakingOptions,
  known: KnownShots,
  firstShot: number,
  endShot: number,
): { slides: EncodeSlide[]; firstFrame: number; cues: CaptionCue[]; key: string } {
  const slides = encodeSlides(known.shots.slice(firstShot, endShot), options.drawn);
  const firstFrame = known.firstFrames[firstShot] as number;
  const { fps } = options.plan;
  const cues = cuesBetween(known.cues, firstFrame / fps, (firstFrame + frameCount(slides)) / fps);
  return { slides, firstFrame, cues, key: JSON.stringify({ slides, firstFrame, cues }) };
}

interface RenderFile {
  readonly path: string;
  readonly what: string;
}

/** The drawn images a segment reads. */
function imageFiles(slides: readonly EncodeSlide[], drawn: DrawnSlides): RenderFile[] {
  return [
    ...slides.map((slide) => ({ path: slide.imagePath, what: 'slide image' })),
    ...(drawn.overlayPath ? [{ path: drawn.overlayPath, what: 'scroll overlay' }] : []),
  ];
}

/**
 * Encodes the video into `plan.outputPath` as the narration is spoken (see the file's comment).
 * Returns once the video is written; rejects with the feed's error if speech fails. Every ffmpeg has
 * exited before this settles. A failure because a file of the render was removed is
 * RENDER_FILE_MISSING.
 */
export async function encodeWhileSpeaking(options: EncodeWhileSpeakingOptions): Promise<void> {
  const { feed, signal, drawn } = options;
  let segments: Segment[] = [];
  let attempt: number | undefined;
  const encode = async (
    known: KnownShots,
    number: number,
    firstShot: number,
    endShot: number,
  ): Promise<Segment> => {
    const { slides, firstFrame, key } = segmentPlan(options, known, firstShot, endShot);
    const encodeOptions: EncodeOptions = {
      ffmpegPath: options.ffmpegPath,
      signal,
      ...(options.burn && { burn: { ...options.burn, cues: known.cues } }),
    };
    // ffmpeg reports progress once it has opened its output: from then on it may go missing too.
    let writing: string | undefined;
    const output = (): RenderFile[] => (writing ? [{ path: writing, what: 'video being encoded' }] : []);
    const path = await withFilesChecked(
      () => [...imageFiles(slides, drawn), ...output()],
      signal,
      () =>
        encodeSegment(
          { ...options.plan, slides },
          slides,
          { number, firstFrame },
          encodeOptions,
          (frames) => {
            writing ??= segmentPath(options.plan, number);
            options.onFrames?.(firstFrame + frames);
          },
        ),
    );
    return { number, firstShot, endShot, plan: key, path };
  };

  for (;;) {
    signal.throwIfAborted();
    const encodedShots = segments.at(-1)?.endShot ?? 0;
    const spoken = await feed.when(
      (latest) =>
        latest.attempt !== attempt || latest.whole || knownShots(options, latest).shots.length > encodedShots,
    );
    if (spoken.attempt !== attempt) {
      // Speech started over: what was encoded may not fit the new narration.
      attempt = spoken.attempt;
      segments = [];
      continue;
    }
    const known = knownShots(options, spoken);
    if (encodedShots >= known.shots.length) break; // only when whole: the loop waited for more otherwise
    const endShot = Math.min(known.shots.length, encodedShots + SLIDES_PER_PASS);
    segments.push(await encode(known, segments.length + 1, encodedShots, endShot));
  }

  // The narration is whole: every segment must be what it gives.
  const final = await feed.when((latest) => latest.whole);
  const known = knownShots(options, final);
  if ((segments.at(-1)?.endShot ?? 0) !== known.shots.length) {
    throw new Error('the encoded segments do not cover the whole video');
  }
  for (const [index, segment] of segments.entries()) {
    const { key } = segmentPlan(options, known, segment.firstShot, segment.endShot);
    if (key !== segment.plan) {
      segments[index] = await encode(known, segment.number, segment.firstShot, segment.endShot);
    }
  }
  const paths = segments.map((segment) => segment.path);
  const { audioPath, extras, outputPath } = options.plan;
  let writing = false;
  await withFilesChecked(
    () => [
      ...paths.map((path) => ({ path, what: 'video segment' })),
      ...(audioPath ? [{ path: audioPath, what: 'narration' }] : []),
      ...(extras?.subtitlesPath ? [{ path: extras.subtitlesPath, what: 'captions' }] : []),
      ...(extras?.metadataPath ? [{ path: extras.metadataPath, what: 'chapters' }] : []),
      ...(writing ? [{ path: outputPath, what: 'video being encoded' }] : []),
    ],
    signal,
    () =>
      joinSegments({ ...options.plan, slides: [] }, paths, { ffmpegPath: options.ffmpegPath, signal }, () => {
        writing = true;
      }),
  );
  // The video holds them now: a long video's segments would take as much room again.
  await Promise.all(
    [...paths, join(dirname(outputPath), SEGMENT_LIST)].map((path) => rm(path, { force: true })),
  );
}
