/**
 * The images of the example lessons (examples/*), drawn exactly as a render draws them (title slide,
 * lesson slides, closing slide), rasterized small for the visual regression test.
 */
import { Resvg } from '@resvg/resvg-js';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { payloadFromFile } from '../../src/cli/commands/render.js';
import type { LessonSlide, Resolution } from '../../src/render/lesson/model.js';
import { parsePresentationRequest } from '../../src/render/lesson/payload.js';
import { videoSequence } from '../../src/render/sequence.js';
import { defaultSlideSvg } from '../../src/render/slides/default-slide.js';
import { FONT_FAMILY, type SlideFonts } from '../../src/render/slides/fonts.js';
import { closingSlideSvg, titleSlideSvg } from '../../src/render/slides/title-slides.js';

export const EXAMPLES_DIR = path.resolve('examples');

export interface ExampleImage {
  /** `<example>-<n>`, n counting from 1 over the video's images (title slide first). */
  readonly name: string;
  readonly svg: string;
}

export async function exampleFiles(): Promise<string[]> {
  return (await readdir(EXAMPLES_DIR))
    .filter((file) => /\.(md|json|txt)$/.test(file))
    .sort()
    .map((file) => path.join(EXAMPLES_DIR, file));
}

/** Every image of the example's video in the `default` style, as SVG. */
export async function exampleImages(
  file: string,
  fonts: SlideFonts,
  resolution: Resolution = { width: 1280, height: 720 },
  suffix = '',
): Promise<ExampleImage[]> {
  const payload = await payloadFromFile(file);
  const request = parsePresentationRequest({
    ...payload,
    resolution: `${resolution.width}x${resolution.height}`,
  });
  const { lesson } = request;
  const cards = { style: request.style, ...resolution, fonts };
  const example = path.basename(file, path.extname(file)) + suffix;
  return videoSequence(request).map((item, position) => {
    const name = `${example}-${position + 1}`;
    if (item.kind === 'title') return { name, svg: titleSlideSvg(lesson, cards) };
    if (item.kind === 'closing') return { name, svg: closingSlideSvg(lesson, cards) };
    const slide = lesson.slides[item.index] as LessonSlide;
    const context = { lessonTitle: lesson.title, index: item.index, count: lesson.slides.length };
    return { name, svg: defaultSlideSvg(slide, { ...context, ...resolution, fonts }) };
  });
}

export interface SmallImage {
  readonly png: Buffer;
  /** RGBA, row by row. */
  readonly pixels: Buffer;
  readonly width: number;
  readonly height: number;
}

/** The SVG drawn by resvg with the slide fonts, scaled to `width` pixels wide. */
export function rasterizeSmall(svg: string, fonts: SlideFonts, width: number): SmallImage {
  const image = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: [...fonts.files], defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'width', value: width },
    logLevel: 'off',
  }).render();
  return { png: image.asPng(), pixels: image.pixels, width: image.width, height: image.height };
}
