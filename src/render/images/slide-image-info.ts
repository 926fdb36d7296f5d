/**
 * What the job's result says of the slides' images (`slide_images`): which slide, its alt text (the
 * description of the image for readers who cannot see it; it is neither drawn nor spoken), its format
 * and its size as submitted.
 */
import type { Lesson } from '../lesson/model.js';
import type { ImageFormat } from './sniff.js';

export interface SlideImageInfo {
  /** 1-based, as people count slides (the title slide not counted). */
  readonly slide: number;
  readonly alt: string;
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** `asset:NAME`, or `data URL` for an image carried inline. */
  readonly source: string;
}

export function slideImageInfo(lesson: Lesson): SlideImageInfo[] {
  return lesson.slides.flatMap((slide, index) =>
    slide.image
      ? [
          {
            slide: index + 1,
            alt: slide.image.alt,
            format: slide.image.format,
            width: Math.round(slide.image.width),
            height: Math.round(slide.image.height),
            source: slide.image.src.startsWith('asset:') ? slide.image.src : 'data URL',
          },
        ]
      : [],
  );
}
