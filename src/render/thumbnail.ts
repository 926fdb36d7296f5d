/** The 640×360 PNG thumbnail: the first slide (or the first frame of the scroll) drawn at that size. */
import type { PresentationRequest } from './lesson/model.js';
import { defaultSlideSvg } from './slides/default-slide.js';
import type { SlideFonts } from './slides/fonts.js';
import { writeSvgAsPng } from './slides/rasterize.js';
import { layoutScroll, scrollFrameSvg } from './slides/scrolling.js';

export const THUMBNAIL_SIZE = Object.freeze({ width: 640, height: 360 });

export function thumbnailSvg(request: PresentationRequest, fonts: SlideFonts): string {
  const { lesson } = request;
  const first = lesson.slides[0];
  if (!first) throw new Error('a lesson without slides has no thumbnail');
  if (request.style === 'scrolling') return scrollFrameSvg(layoutScroll(lesson, THUMBNAIL_SIZE, fonts), 0);
  return defaultSlideSvg(first, {
    lessonTitle: lesson.title,
    index: 0,
    count: lesson.slides.length,
    ...THUMBNAIL_SIZE,
    fonts,
  });
}

export async function writeThumbnail(
  request: PresentationRequest,
  path: string,
  fonts: SlideFonts,
  signal?: AbortSignal,
): Promise<void> {
  await writeSvgAsPng(thumbnailSvg(request, fonts), path, fonts, signal);
}
