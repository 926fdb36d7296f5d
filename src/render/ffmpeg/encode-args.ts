/**
 * The ffmpeg command that turns slide images and a narration track into an MP4. Each image is read
 * and decoded once, converted once, then held for its slide's frames by `tpad` (cloning the frame), not
 * re-read every frame as `-loop 1` does. For the scrolling style a `crop` with a moving window slides
 * down the held image. The filter graph holds only numbers we computed; user text is in the images.
 */
import { fileUrl } from './binaries.js';

export interface EncodeSlide {
  readonly imagePath: string;
  readonly frames: number;
  /** Scrolling style: how many pixels the window moves down the image during the slide. */
  readonly scrollPixels?: number;
}

export interface EncodePlan {
  readonly slides: readonly EncodeSlide[];
  /** An image drawn over every frame (the scrolling style's fades). */
  readonly overlayPath?: string;
  /** The narration; without it the output has no audio (a segment of a long video). */
  readonly audioPath?: string;
  readonly outputPath: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

const INPUT_OPTIONS = ['-protocol_whitelist', 'file,pipe'];
const AUDIO_OUTPUT = ['-c:a', 'aac', '-b:a', '64k'];

/**
 * Static slides change only at slide starts (where keyframes are forced) and nothing moves, so x264's
 * look-ahead, scene detection, B-frames and sub-pixel motion search are wasted work, and so is rate
 * control: a constant quantiser (keyframes about 3 lower, by x264's I/P ratio) spares it the
 * half-size copy of every frame that CRF analyses. Every frame after a keyframe is a skipped P-frame.
 * Together this halves the encoder's CPU time at the same size.
 */
// prettier-ignore
const STILL_X264 = ['-qp', '22', '-x264-params', 'scenecut=0:rc-lookahead=0:mbtree=0:bframes=0:ref=1:me=dia:subme=0'];

/** Scrolling text moves straight up by under two pixels a frame: a small search finds it (25% less CPU). */
const SCROLL_X264 = ['-crf', '21', '-x264-params', 'ref=1:me=dia:subme=1'];

function imageInput(path: string, fps: number): string[] {
  return [
    ...INPUT_OPTIONS,
    '-f',
    'image2',
    '-pattern_type',
    'none',
    '-framerate',
    String(fps),
    '-i',
    fileUrl(path),
  ];
}

function slideFilter(slide: EncodeSlide, index: number, plan: EncodePlan): string {
  const hold = `tpad=stop=${slide.frames - 1}:stop_mode=clone`;
  if (slide.scrollPixels === undefined) return `[${index}:v]format=yuv420p,${hold}[s${index}]`;
  // 4:4:4 so the window can move by single pixels; converted to 4:2:0 after the overlay.
  const pixelsPerSecond = (slide.scrollPixels * plan.fps) / slide.frames;
  const crop = `crop=w=${plan.width}:h=${plan.height}:x=0:y=t*${pixelsPerSecond.toFixed(6)}`;
  return `[${index}:v]format=yuv444p,${hold},${crop}[s${index}]`;
}

export function filterGraph(plan: EncodePlan): string {
  const count = plan.slides.length;
  const parts = plan.slides.map((slide, index) => slideFilter(slide, index, plan));
  const labels = plan.slides.map((_, index) => `[s${index}]`).join('');
  const concat = `${labels}concat=n=${count}:v=1:a=0`;
  if (plan.overlayPath === undefined) {
    parts.push(`${concat},setsar=1[v]`);
  } else {
    parts.push(
      `${concat}[body]`,
      `[body][${count}:v]overlay=x=0:y=0:eof_action=repeat,format=yuv420p,setsar=1[v]`,
    );
  }
  return parts.join(';');
}

export function keyframeTimes(plan: EncodePlan): string {
  let frame = 0;
  const times: string[] = [];
  for (const slide of plan.slides) {
    times.push((frame / plan.fps).toFixed(6));
    frame += slide.frames;
  }
  return times.join(',');
}

export function encodeArgs(plan: EncodePlan): string[] {
  const scrolling = plan.slides.some((slide) => slide.scrollPixels !== undefined);
  const audioIndex = plan.slides.length + (plan.overlayPath === undefined ? 0 : 1);
  const audio = plan.audioPath === undefined ? undefined : fileUrl(plan.audioPath);
  // prettier-ignore
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel', 'error',
    '-nostats',
    '-progress', 'pipe:1',
    ...plan.slides.flatMap((slide) => imageInput(slide.imagePath, plan.fps)),
    ...(plan.overlayPath === undefined ? [] : imageInput(plan.overlayPath, plan.fps)),
    ...(audio === undefined ? [] : [...INPUT_OPTIONS, '-i', audio]),
    '-filter_complex', filterGraph(plan),
    '-map', '[v]',
    ...(audio === undefined ? ['-an'] : ['-map', `${audioIndex}:a`]),
    '-c:v', 'libx264',
    '-preset', 'veryfast',
    ...(scrolling ? SCROLL_X264 : STILL_X264),
    '-pix_fmt', 'yuv420p',
    '-r', String(plan.fps),
    '-force_key_frames', keyframeTimes(plan),
    ...(audio === undefined ? [] : AUDIO_OUTPUT),
    '-movflags', '+faststart',
    ...INPUT_OPTIONS,
    '-y', fileUrl(plan.outputPath),
  ];
}

/** A concat-demuxer list of our own segment files, quoted as that format requires. */
export function segmentList(segmentPaths: readonly string[]): string {
  return segmentPaths.map((path) => `file '${fileUrl(path).replace(/'/g, "'\\''")}'\n`).join('');
}

/** Joins video segments without re-encoding them and adds the narration. */
export function joinSegmentsArgs(listPath: string, audioPath: string, outputPath: string): string[] {
  // prettier-ignore
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel', 'error',
    '-nostats',
    '-progress', 'pipe:1',
    ...INPUT_OPTIONS, '-f', 'concat', '-safe', '0', '-i', fileUrl(listPath),
    ...INPUT_OPTIONS, '-i', fileUrl(audioPath),
    '-map', '0:v',
    '-map', '1:a',
    '-c:v', 'copy',
    ...AUDIO_OUTPUT,
    '-movflags', '+faststart',
    ...INPUT_OPTIONS,
    '-y', fileUrl(outputPath),
  ];
}
