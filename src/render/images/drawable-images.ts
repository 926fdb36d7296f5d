/**
 * resvg draws PNG, JPEG and SVG images but not WebP: before the slides are drawn, each WebP image of the
 * lesson is turned into a PNG with ffmpeg (an argument array, files in the job's own folder), once per
 * distinct image. Its header was checked when the job was queued, so ffmpeg never sees a bomb.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileUrl } from '../ffmpeg/binaries.js';
import { runProcess } from '../ffmpeg/run-process.js';
import type { Lesson, SlideImage } from '../lesson/model.js';
import { imageError } from './image-errors.js';

export interface DrawableImageOptions {
  /** The job's work folder. */
  readonly dir: string;
  readonly ffmpegPath: string;
  readonly signal?: AbortSignal | undefined;
}

async function webpAsPng(image: SlideImage, index: number, options: DrawableImageOptions): Promise<string> {
  const input = join(options.dir, `image-${index}.webp`);
  const output = join(options.dir, `image-${index}.png`);
  await writeFile(input, Buffer.from(image.href.slice(image.href.indexOf(',') + 1), 'base64'));
  try {
    await runProcess(
      options.ffmpegPath,
      [
        '-nostdin',
        '-loglevel',
        'error',
        '-y',
        '-i',
        fileUrl(input),
        '-frames:v',
        '1',
        '-c:v',
        'png',
        '-f',
        'image2',
        fileUrl(output),
      ],
      { signal: options.signal },
    );
  } catch (error) {
    options.signal?.throwIfAborted();
    const which = image.src.startsWith('asset:') ? image.src : 'a data URL';
    throw imageError(
      'IMAGE_INVALID',
      `The WebP image (${which}) could not be decoded`,
      {
        reason: 'decode',
        src: which,
      },
      { cause: error },
    );
  }
  return `data:image/png;base64,${(await readFile(output)).toString('base64')}`;
}

/** The lesson with every image in a form resvg draws (WebP → PNG); the same lesson when it has none. */
export async function withDrawableImages(lesson: Lesson, options: DrawableImageOptions): Promise<Lesson> {
  if (!lesson.slides.some((slide) => slide.image?.format === 'webp')) return lesson;
  const converted = new Map<string, string>();
  const slides = [];
  for (const slide of lesson.slides) {
    const image = slide.image;
    if (image?.format !== 'webp') {
      slides.push(slide);
      continue;
    }
    const href = converted.get(image.href) ?? (await webpAsPng(image, converted.size + 1, options));
    converted.set(image.href, href);
    slides.push({ ...slide, image: { ...image, format: 'png' as const, href } });
  }
  return { ...lesson, slides };
}
