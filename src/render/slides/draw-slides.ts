/**
 * Draws every image of a video's sequence as a PNG in `dir`: the title slide, the lesson's slides
 * (designed slides for `default`, plus one image per bullet that appears for `reveal_bullets`; tall
 * scroll images plus a static overlay for `scrolling`) and the closing slide. Two images are drawn at
 * a time, off the event loop.
 */
import { join } from 'node:path';
import { mapConcurrently } from '../concurrency.js';
import type { LessonSlide, PresentationRequest } from '../lesson/model.js';
import { revealedBullets } from '../reveal.js';
import type { SequenceItem } from '../sequence.js';
import { defaultSlideSvg } from './default-slide.js';
import type { SlideFonts } from './fonts.js';
import { writeSvgAsPng } from './rasterize.js';
import { layoutScroll, scrollOverlaySvg, scrollSlideSvg, scrollTravel } from './scrolling.js';
import { closingSlideSvg, titleSlideSvg } from './title-slides.js';

export interface DrawnSlides {
  /** One image per item of the sequence, in its order. */
  readonly slidePaths: readonly string[];
  /**
   * `reveal_bullets`: per item, the images with its first 1, 2, … bullets (all but the whole slide,
   * which is in `slidePaths`); empty for an item whose bullets show at once.
   */
  readonly revealPaths: readonly (readonly string[])[];
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
    const slideSvg = (index: number, shownBullets?: number) =>
      defaultSlideSvg(
        lesson.slides[index] as LessonSlide,
        {
          lessonTitle: lesson.title,
          index,
          count: lesson.slides.length,
          ...resolution,
          fonts: options.fonts,
        },
        shownBullets,
      );
    const svgs = items.map((item) => () => {
      if (item.kind === 'title') return titleSlideSvg(lesson, cards);
      if (item.kind === 'closing') return closingSlideSvg(lesson, cards);
      return slideSvg(item.index);
    });
    // The partial images of slides whose bullets appear one by one: 1 … all but one bullets.
    const revealPaths = items.map((item, position) =>
      Array.from({ length: Math.max(0, revealedBullets(request, item) - 1) }, (_, shown) =>
        (slidePaths[position] as string).replace(/\.png$/, `-bullets-${shown + 1}.png`),
      ),
    );
    const partial = items.flatMap((item, position) =>
      (revealPaths[position] as string[]).map(
        (_, shown) => () => slideSvg(item.kind === 'slide' ? item.index : 0, shown + 1),
      ),
    );
    await drawAll([...svgs, ...partial], [...slidePaths, ...revealPaths.flat()], options);
    return { slidePaths, revealPaths };
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
    revealPaths: items.map(() => []),
    overlayPath,
    scrollPixels: items.map((item) => (item.kind === 'slide' ? scrollTravel(layout, item.index) : 0)),
    overlaid: items.map((item) => item.kind === 'slide'),
  };
}
