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
  /** With an overlay: false keeps it off this slide's frames (the title and closing slides). */
  readonly overlaid?: boolean;
}

/** Soft captions and chapters, muxed into the MP4 from files we wrote. */
export interface EncodeExtras {
  /** A WebVTT file: becomes a `mov_text` subtitle track tagged with `subtitleLanguage`. */
  readonly subtitlesPath?: string;
  /** ISO 639-2 code, e.g. `eng`. */
  readonly subtitleLanguage?: string;
  /** An FFMETADATA file with the title and chapters. */
  readonly metadataPath?: string;
}

/**
 * Captions drawn into the picture by libass. Both names are relative to the folder ffmpeg runs in
 * (the work folder), so the filter graph holds no path, only names we chose.
 */
export interface BurnedCaptions {
  /** A WebVTT file whose times start at this command's first frame. */
  readonly fileName: string;
  /** A folder holding the slides' fonts, so captions look the same on every machine. */
  readonly fontsDirName: string;
  /** Font size in libass's 288-line script space (it scales with the frame). */
  readonly fontSize: number;
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
  readonly extras?: EncodeExtras;
  readonly burned?: BurnedCaptions;
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

/** `between(n,a,b)+…` over the frames of the slides the overlay goes on; undefined when it goes on all. */
export function overlayFrames(slides: readonly EncodeSlide[]): string | undefined {
  if (slides.every((slide) => slide.overlaid !== false)) return undefined;
  const ranges: [number, number][] = [];
  let frame = 0;
  for (const slide of slides) {
    const last = ranges.at(-1);
    if (slide.overlaid !== false) {
      if (last && last[1] === frame - 1) last[1] = frame + slide.frames - 1;
      else ranges.push([frame, frame + slide.frames - 1]);
    }
    frame += slide.frames;
  }
  return ranges.length === 0 ? '0' : ranges.map(([from, to]) => `between(n,${from},${to})`).join('+');
}

/** libass style: white DejaVu Sans on a half-transparent black box, near the bottom. */
function burnFilter(burned: BurnedCaptions): string {
  const style = [
    'FontName=DejaVu Sans',
    `FontSize=${burned.fontSize}`,
    'PrimaryColour=&H00FFFFFF',
    'OutlineColour=&H60000000',
    'BackColour=&H60000000',
    'BorderStyle=3',
    'Outline=2',
    'Shadow=0',
    'MarginV=14',
  ].join(',');
  return `subtitles=filename=${burned.fileName}:fontsdir=${burned.fontsDirName}:force_style='${style}'`;
}

export function filterGraph(plan: EncodePlan): string {
  const count = plan.slides.length;
  const parts = plan.slides.map((slide, index) => slideFilter(slide, index, plan));
  const labels = plan.slides.map((_, index) => `[s${index}]`).join('');
  const concat = `${labels}concat=n=${count}:v=1:a=0`;
  const burn = plan.burned === undefined ? '' : `,${burnFilter(plan.burned)}`;
  if (plan.overlayPath === undefined) {
    parts.push(`${concat},setsar=1${burn}[v]`);
  } else {
    const frames = overlayFrames(plan.slides);
    const enable = frames === undefined ? '' : `:enable='${frames}'`;
    parts.push(
      `${concat}[body]`,
      `[body][${count}:v]overlay=x=0:y=0:eof_action=repeat${enable},format=yuv420p,setsar=1${burn}[v]`,
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

/** Inputs and output options that mux the soft captions and the chapters in; `firstInput` is their first index. */
export function extrasArgs(
  extras: EncodeExtras | undefined,
  firstInput: number,
): { inputs: string[]; outputs: string[] } {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let index = firstInput;
  if (extras?.subtitlesPath !== undefined) {
    inputs.push(...INPUT_OPTIONS, '-f', 'webvtt', '-i', fileUrl(extras.subtitlesPath));
    // prettier-ignore
    outputs.push(
      '-map', `${index}:s`,
      '-c:s', 'mov_text',
      '-metadata:s:s:0', `language=${extras.subtitleLanguage ?? 'und'}`,
    );
    index++;
  }
  if (extras?.metadataPath !== undefined) {
    inputs.push(...INPUT_OPTIONS, '-f', 'ffmetadata', '-i', fileUrl(extras.metadataPath));
    outputs.push('-map_metadata', String(index), '-map_chapters', String(index));
  }
  return { inputs, outputs };
}

export function encodeArgs(plan: EncodePlan): string[] {
  const scrolling = plan.slides.some((slide) => slide.scrollPixels !== undefined);
  const audioIndex = plan.slides.length + (plan.overlayPath === undefined ? 0 : 1);
  const audio = plan.audioPath === undefined ? undefined : fileUrl(plan.audioPath);
  const extras = extrasArgs(plan.extras, audioIndex + (audio === undefined ? 0 : 1));
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
    ...extras.inputs,
    '-filter_complex', filterGraph(plan),
    '-map', '[v]',
    ...(audio === undefined ? ['-an'] : ['-map', `${audioIndex}:a`]),
    ...extras.outputs,
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

/** Joins video segments without re-encoding them and adds the narration, captions and chapters. */
export function joinSegmentsArgs(
  listPath: string,
  audioPath: string,
  outputPath: string,
  extras?: EncodeExtras,
): string[] {
  const muxed = extrasArgs(extras, 2);
  // prettier-ignore
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel', 'error',
    '-nostats',
    '-progress', 'pipe:1',
    ...INPUT_OPTIONS, '-f', 'concat', '-safe', '0', '-i', fileUrl(listPath),
    ...INPUT_OPTIONS, '-i', fileUrl(audioPath),
    ...muxed.inputs,
    '-map', '0:v',
    '-map', '1:a',
    ...muxed.outputs,
    '-c:v', 'copy',
    ...AUDIO_OUTPUT,
    '-movflags', '+faststart',
    ...INPUT_OPTIONS,
    '-y', fileUrl(outputPath),
  ];
}
