/**
 * Slide images in real renders: real resvg, real ffmpeg (which also turns WebP into PNG). The frames of
 * the encoded video show each slide's image in its colour where the layout puts it, beside the text in a
 * landscape frame and below it in a portrait one, and the thumbnail shows the first slide's.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPresentation } from '../../src/render/pipeline.js';
import { solidPng, svgDataUrl, dataUrl } from '../support/test-images.js';
import { binaries, makeTempDir } from './support.js';

const run = promisify(execFile);

type Rgb = readonly [number, number, number];
const GREEN: Rgb = [0, 200, 0];
const BLUE: Rgb = [0, 0, 230];
const RED: Rgb = [230, 0, 0];

let dir: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  dir = await makeTempDir('rq-slide-images-');
});

afterAll(async () => {
  await dir.remove();
});

/** A lossless WebP of one colour, made by the real ffmpeg. */
async function solidWebp([r, g, b]: Rgb): Promise<Buffer> {
  const path = join(dir.path, `solid-${r}-${g}-${b}.webp`);
  const hex = [r, g, b].map((channel) => channel.toString(16).padStart(2, '0')).join('');
  // prettier-ignore
  await run(binaries.ffmpeg, [
    '-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', `color=c=0x${hex}:s=64x48`,
    '-frames:v', '1', '-lossless', '1', path,
  ]);
  return readFile(path);
}

/** One frame of an image or video (at `seconds`), as RGB bytes. */
async function rgbFrame(path: string, width: number, height: number, seconds = 0): Promise<Buffer> {
  // prettier-ignore
  const { stdout } = await run(
    binaries.ffmpeg,
    ['-v', 'error', '-nostdin', '-ss', String(seconds), '-i', path, '-frames:v', '1',
     '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

function pixel(frame: Buffer, width: number, x: number, y: number): Rgb {
  const at = (Math.round(y) * width + Math.round(x)) * 3;
  return [frame[at] as number, frame[at + 1] as number, frame[at + 2] as number];
}

/** Within a video codec's error of `colour`. */
function near(actual: Rgb, colour: Rgb): boolean {
  return actual.every((channel, index) => Math.abs(channel - (colour[index] as number)) <= 40);
}

describe('slide images', () => {
  it('shows a PNG data URL, a WebP asset and an SVG asset on the right of their slides, and in the thumbnail', async () => {
    const [width, height] = [320, 180];
    const square =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 48"><rect width="64" height="48" fill="#e60000"/></svg>';
    const result = await renderPresentation({
      payload: {
        lesson: {
          title: 'Colours',
          slides: [
            {
              title: 'Green',
              bullets: ['Grass'],
              narration: 'Green.',
              image: { src: dataUrl(solidPng(64, 48, GREEN)), alt: 'A green square' },
            },
            {
              title: 'Blue',
              bullets: ['Sky'],
              narration: 'Blue.',
              image: { src: 'asset:blue', alt: 'A blue square' },
            },
            { title: 'Red', bullets: ['Fire'], narration: 'Red.', image: 'asset:red' },
          ],
        },
        assets: [
          { name: 'blue', content_base64: (await solidWebp(BLUE)).toString('base64') },
          {
            name: 'red',
            content_base64: Buffer.from(svgDataUrl(square).split(',')[1] as string, 'base64').toString(
              'base64',
            ),
          },
        ],
        resolution: `${width}x${height}`,
        captions: 'off',
        title_slide: false,
        closing_slide: false,
      },
      workDir: dir.path,
      ttsCacheDir: join(dir.path, 'tts-cache'),
    });

    expect(result.slideImages).toEqual([
      { slide: 1, alt: 'A green square', format: 'png', width: 64, height: 48, source: 'data URL' },
      { slide: 2, alt: 'A blue square', format: 'webp', width: 64, height: 48, source: 'asset:blue' },
      { slide: 3, alt: '', format: 'svg', width: 64, height: 48, source: 'asset:red' },
    ]);
    const colours = [GREEN, BLUE, RED];
    for (const [index, start] of result.slideStartTimes.entries()) {
      const frame = await rgbFrame(result.videoPath, width, height, start + 0.2);
      const colour = colours[index] as Rgb;
      // The image's box is on the right of the body; the bullets are on the left.
      const inImage = pixel(frame, width, width * 0.78, height * 0.55);
      expect(near(inImage, colour), `slide ${index + 1} at the image: ${inImage.join(',')}`).toBe(true);
      for (const [x, y] of [
        [width * 0.25, height * 0.55],
        [width * 0.78, height * 0.15],
      ] as const) {
        const outside = pixel(frame, width, x, y);
        expect(near(outside, colour), `slide ${index + 1} at ${x},${y}: ${outside.join(',')}`).toBe(false);
      }
    }
    const thumbnail = await rgbFrame(result.thumbnailPath, 640, 360);
    expect(near(pixel(thumbnail, 640, 640 * 0.78, 360 * 0.55), GREEN)).toBe(true);
  });

  it('puts the image below the text in a portrait frame, keeping its aspect', async () => {
    const [width, height] = [180, 320];
    await mkdir(join(dir.path, 'portrait'));
    const result = await renderPresentation({
      payload: {
        lesson: {
          title: 'Colours',
          slides: [
            {
              title: 'Green',
              bullets: ['Grass'],
              narration: 'Green.',
              image: dataUrl(solidPng(40, 20, GREEN)),
            },
          ],
        },
        resolution: `${width}x${height}`,
        captions: 'off',
        title_slide: false,
        closing_slide: false,
      },
      workDir: join(dir.path, 'portrait'),
      ttsCacheDir: join(dir.path, 'tts-cache'),
    });
    const frame = await rgbFrame(result.videoPath, width, height, 0.2);
    const column = Array.from({ length: height }, (_, y) => near(pixel(frame, width, width / 2, y), GREEN));
    const top = column.indexOf(true);
    const bottom = column.lastIndexOf(true);
    // Below the middle of the frame, and as tall as a 2:1 image as wide as the text column.
    expect(top).toBeGreaterThan(height / 2);
    const rowWidth = Array.from({ length: width }, (_, x) =>
      near(pixel(frame, width, x, (top + bottom) / 2), GREEN),
    ).filter(Boolean).length;
    expect((bottom - top + 1) * 2).toBeGreaterThan(rowWidth - 6);
    expect((bottom - top + 1) * 2).toBeLessThan(rowWidth + 6);
  });

  it("shows the image under its slide's text in the scrolling style, in the video as the text scrolls up", async () => {
    const [width, height] = [320, 180];
    await mkdir(join(dir.path, 'scrolling'));
    const result = await renderPresentation({
      payload: {
        lesson: {
          title: 'Colours',
          slides: [
            {
              title: 'Green',
              narration: 'Green is the colour of grass.',
              image: dataUrl(solidPng(64, 48, GREEN)),
            },
            { title: 'Plain', narration: 'No picture here.' },
          ],
        },
        style: 'scrolling',
        resolution: `${width}x${height}`,
        captions: 'off',
        title_slide: false,
        closing_slide: false,
      },
      workDir: join(dir.path, 'scrolling'),
      ttsCacheDir: join(dir.path, 'tts-cache'),
    });
    const greenShare = (frame: Buffer): number => {
      let green = 0;
      for (let at = 0; at < frame.length; at += 3) {
        if (near([frame[at] as number, frame[at + 1] as number, frame[at + 2] as number], GREEN)) green++;
      }
      return green / (frame.length / 3);
    };
    // As slide 1 ends, its text has scrolled up to the reading line and its image is in view.
    const end = await rgbFrame(result.videoPath, width, height, (result.slideStartTimes[1] as number) - 0.1);
    expect(greenShare(end)).toBeGreaterThan(0.05);
    // The second slide's text has no image: once it has scrolled to the reading line, no green is left.
    const last = await rgbFrame(result.videoPath, width, height, result.durationSeconds - 0.1);
    expect(greenShare(last)).toBeLessThan(0.01);
  });
});
