/**
 * Visual regression: every image of the example lessons (and of a lesson of layout edge cases, also
 * in portrait) is drawn small and compared with its committed reference in test/render/reference/.
 * After a deliberate change of the slides' look, regenerate the references and look at every one:
 *
 *   UPDATE_REFERENCES=1 npx vitest run --project unit test/render/slide-references.test.ts
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadSlideFonts } from '../../src/render/slides/fonts.js';
import { exampleFiles, exampleImages, rasterizeSmall, type ExampleImage } from './example-slides.js';
import { binaries } from './support.js';

const run = promisify(execFile);
const REFERENCE_DIR = path.resolve('test/render/reference');
const EDGE_CASES = path.resolve('test/render/fixtures/layout-edge-cases.json');
const UPDATING = process.env.UPDATE_REFERENCES === '1';
/** Pixels whose channels differ by more than this count as changed (anti-aliasing stays below it). */
const CHANNEL_TOLERANCE = 48;
/** The share of changed pixels a reference tolerates: well below one word of text moving. */
const MAX_CHANGED_RATIO = 0.002;

const fonts = await loadSlideFonts();

interface Case extends ExampleImage {
  /** Width the image is drawn at, for a light repository. */
  readonly smallWidth: number;
}

async function allCases(): Promise<Case[]> {
  const cases: Case[] = [];
  for (const file of [...(await exampleFiles()), EDGE_CASES]) {
    for (const image of await exampleImages(file, fonts)) cases.push({ ...image, smallWidth: 640 });
  }
  const portrait = { width: 720, height: 1280 };
  for (const image of await exampleImages(EDGE_CASES, fonts, portrait, '-portrait')) {
    cases.push({ ...image, smallWidth: 360 });
  }
  return cases;
}

const cases = await allCases();

/** A reference PNG decoded to RGBA by the real ffmpeg. */
async function decodeReference(file: string): Promise<Buffer> {
  // prettier-ignore
  const { stdout } = await run(
    binaries.ffmpeg,
    ['-v', 'error', '-nostdin', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

/** The share of pixels of two RGBA images of one size whose colour differs by more than the tolerance. */
function changedRatio(a: Buffer, b: Buffer): number {
  const pixels = Math.min(a.length, b.length) / 4;
  let changed = 0;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const at = pixel * 4;
    for (let channel = 0; channel < 4; channel++) {
      if (Math.abs((a[at + channel] ?? 0) - (b[at + channel] ?? 0)) > CHANNEL_TOLERANCE) {
        changed++;
        break;
      }
    }
  }
  return changed / pixels;
}

/** Where a failing image is written, to look at beside its reference. */
const ACTUAL_DIR = path.join(tmpdir(), 'reelqueue-slide-references');

describe('slide images match their references', () => {
  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (name, testCase) => {
    const image = rasterizeSmall(testCase.svg, fonts, testCase.smallWidth);
    const referencePath = path.join(REFERENCE_DIR, `${name}.png`);
    if (UPDATING) {
      await mkdir(REFERENCE_DIR, { recursive: true });
      await writeFile(referencePath, image.png);
      return;
    }
    const reference = await decodeReference(referencePath).catch((error: unknown) => {
      throw new Error(
        `no reference image ${referencePath}: run UPDATE_REFERENCES=1 npx vitest run --project unit ` +
          `test/render/slide-references.test.ts and look at it`,
        { cause: error },
      );
    });
    const ratio = reference.length === image.pixels.length ? changedRatio(reference, image.pixels) : 1;
    if (ratio > MAX_CHANGED_RATIO) {
      await mkdir(ACTUAL_DIR, { recursive: true });
      await writeFile(path.join(ACTUAL_DIR, `${name}.png`), image.png);
    }
    expect(
      ratio,
      `${name}: ${(ratio * 100).toFixed(2)}% of pixels changed; the image drawn now is in ${ACTUAL_DIR}`,
    ).toBeLessThanOrEqual(MAX_CHANGED_RATIO);
  });

  it('keeps no reference without an image (a renamed or removed example leaves none behind)', async () => {
    const names = new Set(cases.map((testCase) => `${testCase.name}.png`));
    const files = (await readdir(REFERENCE_DIR)).filter((file) => file.endsWith('.png'));
    if (UPDATING) {
      for (const file of files.filter((file) => !names.has(file))) await rm(path.join(REFERENCE_DIR, file));
      return;
    }
    expect(files.filter((file) => !names.has(file))).toEqual([]);
    expect(files).toHaveLength(names.size);
  });

  it('tells slides apart: one slide’s image does not pass for another’s reference', async () => {
    const [first, second] = cases.filter((testCase) => testCase.name.startsWith('photosynthesis-')).slice(1);
    const reference = await decodeReference(path.join(REFERENCE_DIR, `${first?.name}.png`));
    const other = rasterizeSmall(second?.svg as string, fonts, 640);
    expect(changedRatio(reference, other.pixels)).toBeGreaterThan(10 * MAX_CHANGED_RATIO);
  });
});
