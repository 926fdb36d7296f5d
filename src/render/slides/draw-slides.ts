/**
 * Draws every slide of a request as a PNG in `dir`: designed slides for `default`, tall scroll images
 * plus a static overlay for `scrolling`. Two images are drawn at a time, off the event loop.
 */
import { join } from 'node:path';
import { mapConcurrently } from '../concurrency.js';
import type { PresentationRequest } from '../lesson/model.js';
import { defaultSlideSvg } from './default-slide.js';
import type { SlideFonts } from './fonts.js';
import { writeSvgAsPng } from './rasterize.js';
import { layoutScroll, scrollOverlaySvg, scrollSlideSvg, scrollTravel } from './scrolling.js';

export interface DrawnSlides {
  readonly slidePaths: readonly string[];
  /** Scrolling style only: pixels the window moves down each slide's image while it is spoken. */
  readonly scrollPixels?: readonly number[];
  /** Scrolling style only: drawn over every frame. */
  readonly overlayPath?: string;
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

export async function drawSlides(request: PresentationRequest, options: DrawOptions): Promise<DrawnSlides> {
  const { lesson, resolution } = request;
  const slidePaths = lesson.slides.map((_, index) =>
    join(options.dir, `slide-${String(index + 1).padStart(3, '0')}.png`),
  );
  if (request.style === 'default') {
    const svgs = lesson.slides.map(
      (slide, index) => () =>
        defaultSlideSvg(slide, {
          lessonTitle: lesson.title,
          index,
          count: lesson.slides.length,
          ...resolution,
          fonts: options.fonts,
        }),
    );
    await drawAll(svgs, slidePaths, options);
    return { slidePaths };
  }
  const layout = layoutScroll(lesson, resolution, options.fonts);
  const overlayPath = join(options.dir, 'overlay.png');
  const svgs = [
    ...lesson.slides.map((_, index) => () => scrollSlideSvg(layout, index)),
    () => scrollOverlaySvg(layout),
  ];
  await drawAll(svgs, [...slidePaths, overlayPath], options);
  return {
    slidePaths,
    overlayPath,
    scrollPixels: lesson.slides.map((_, index) => scrollTravel(layout, index)),
  };
}
