/**
 * Draws every image of a video's sequence as a PNG in `dir`: the title slide, the lesson's slides
 * (designed slides for `default`, tall scroll images plus a static overlay for `scrolling`) and the
 * closing slide. Two images are drawn at a time, off the event loop.
 */
import { join } from 'node:path';
import { mapConcurrently } from '../concurrency.js';
import type { LessonSlide, PresentationRequest } from '../lesson/model.js';
import type { SequenceItem } from '../sequence.js';
import { defaultSlideSvg } from './default-slide.js';
import type { SlideFonts } from './fonts.js';
import { writeSvgAsPng } from './rasterize.js';
import { layoutScroll, scrollOverlaySvg, scrollSlideSvg, scrollTravel } from './scrolling.js';
import { closingSlideSvg, titleSlideSvg } from './title-slides.js';

export interface DrawnSlides {
  /** One image per item of the sequence, in its order. */
  readonly slidePaths: readonly string[];
  /** Scrolling style only: pixels the window moves down each image while it is shown (0: it stands). */
  readonly scrollPixels?: readonly number[];
  /** Scrolling style only: drawn over the frames of the lesson's slides (not the title and closing). */
  readonly overlayPath?: string;
  /** Scrolling style only: whether the overlay goes over each image. */
  readonly overlaid?: readonly boolean[];
}

export interface DrawOptions {
  readonly dir: string;
  readonly fonts: SlideFonts;
  readonly signal?: AbortSignal | undefined;
  /** Called after each image with the number drawn so far and the total. */
  readonly onDrawn?: (done: number, total: number) => void;
}

const PARALLEL_DRAWS = 2;

async function drawAll(
  svgs: readonly (() => string)[],
  paths: readonly string[],
  options: DrawOptions,
): Promise<void> {
  let done = 0;
  await mapConcurrently(svgs, PARALLEL_DRAWS, async (svg, index) => {
    await writeSvgAsPng(svg(), paths[index] as string, options.fonts, options.signal);
    options.onDrawn?.(++done, svgs.length);
  });
}

function imagePath(dir: string, item: SequenceItem): string {
  if (item.kind === 'slide') return join(dir, `slide-${String(item.index + 1).padStart(3, '0')}.png`);
  return join(dir, `${item.kind}.png`);
}

export async function drawSlides(
  request: PresentationRequest,
  items: readonly SequenceItem[],
  options: DrawOptions,
): Promise<DrawnSlides> {
  const { lesson, resolution, style } = request;
  const slidePaths = items.map((item) => imagePath(options.dir, item));
  const cards = { style, ...resolution, fonts: options.fonts };
  if (style === 'default') {
    const svgs = items.map((item) => () => {
      if (item.kind === 'title') return titleSlideSvg(lesson, cards);
      if (item.kind === 'closing') return closingSlideSvg(lesson, cards);
      return defaultSlideSvg(lesson.slides[item.index] as LessonSlide, {
        lessonTitle: lesson.title,
        index: item.index,
        count: lesson.slides.length,
        ...resolution,
        fonts: options.fonts,
      });
    });
    await drawAll(svgs, slidePaths, options);
    return { slidePaths };
  }
  const layout = layoutScroll(lesson, resolution, options.fonts);
  const overlayPath = join(options.dir, 'overlay.png');
  const svgs = [
    ...items.map((item) => () => {
      if (item.kind === 'title') return titleSlideSvg(lesson, cards);
      if (item.kind === 'closing') return closingSlideSvg(lesson, cards);
      return scrollSlideSvg(layout, item.index);
    }),
    () => scrollOverlaySvg(layout),
  ];
  await drawAll(svgs, [...slidePaths, overlayPath], options);
  return {
    slidePaths,
    overlayPath,
    scrollPixels: items.map((item) => (item.kind === 'slide' ? scrollTravel(layout, item.index) : 0)),
    overlaid: items.map((item) => item.kind === 'slide'),
  };
}
