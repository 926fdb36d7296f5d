/**
 * Fits blocks of text (bullets or paragraphs) into a box: the largest font size from `maxSize` down to
 * `minSize` at which everything fits; at the smallest size, text that still does not fit is cut with an
 * ellipsis.
 */
import type { FontMetrics } from './font-metrics.js';
import { clampLines, ELLIPSIS, withEllipsis, wrapText } from './text-layout.js';

export interface FitOptions {
  readonly font: FontMetrics;
  readonly maxSize: number;
  readonly minSize: number;
  readonly width: number;
  readonly height: number;
  /** Line height as a multiple of the font size. */
  readonly lineHeight: number;
  /** Space between blocks as a multiple of the font size. */
  readonly blockGap: number;
  /** At most this many lines in all (e.g. 2 for a title). */
  readonly maxLines?: number;
}

export interface FittedText {
  readonly fontSize: number;
  readonly lineHeight: number;
  /** Wrapped lines of each block; blocks that did not fit at all are left out. */
  readonly blocks: readonly (readonly string[])[];
  readonly height: number;
  /** Whether all of the text fits, uncut. */
  readonly complete: boolean;
}

function measureHeight(
  blocks: readonly (readonly string[])[],
  fontSize: number,
  options: FitOptions,
): number {
  const lines = blocks.reduce((sum, block) => sum + block.length, 0);
  return lines * fontSize * options.lineHeight + Math.max(0, blocks.length - 1) * fontSize * options.blockGap;
}

function cutToFit(blocks: readonly (readonly string[])[], fontSize: number, options: FitOptions): string[][] {
  const lineHeight = fontSize * options.lineHeight;
  const gap = fontSize * options.blockGap;
  let budget = Math.min(
    options.maxLines ?? Number.POSITIVE_INFINITY,
    Math.floor((options.height + 1e-6) / lineHeight),
  );
  let room = options.height;
  const kept: string[][] = [];
  for (const block of blocks) {
    const fitting = Math.min(budget, Math.floor((room + 1e-6) / lineHeight));
    if (fitting <= 0) break;
    const lines = clampLines(block, fitting, options.font, fontSize, options.width);
    kept.push(lines);
    if (lines.length < block.length) break;
    budget -= lines.length;
    room -= lines.length * lineHeight + gap;
  }
  // The block after the last kept one was cut away entirely: mark the cut on the last kept line.
  const last = kept.at(-1);
  const keptLines = kept.reduce((sum, block) => sum + block.length, 0);
  const allLines = blocks.reduce((sum, block) => sum + block.length, 0);
  if (last && keptLines < allLines && !(last.at(-1) ?? '').endsWith(ELLIPSIS)) {
    last[last.length - 1] = withEllipsis(last.at(-1) ?? '', options.font, fontSize, options.width);
  }
  return kept;
}

export function fitText(texts: readonly string[], options: FitOptions): FittedText {
  const step = Math.max(1, (options.maxSize - options.minSize) / 12);
  for (let fontSize = options.maxSize; fontSize >= options.minSize - 1e-9; fontSize -= step) {
    const blocks = texts.map((text) => wrapText(text, options.font, fontSize, options.width));
    const lines = blocks.reduce((sum, block) => sum + block.length, 0);
    const height = measureHeight(blocks, fontSize, options);
    if (height <= options.height && lines <= (options.maxLines ?? Number.POSITIVE_INFINITY)) {
      return { fontSize, lineHeight: fontSize * options.lineHeight, blocks, height, complete: true };
    }
  }
  const fontSize = options.minSize;
  const blocks = cutToFit(
    texts.map((text) => wrapText(text, options.font, fontSize, options.width)),
    fontSize,
    options,
  );
  return {
    fontSize,
    lineHeight: fontSize * options.lineHeight,
    blocks,
    height: measureHeight(blocks, fontSize, options),
    complete: false,
  };
}

/** One way to fit a line of text: up to `maxLines` lines, the largest size from `maxSize` to `minSize`. */
export interface FitWay {
  readonly maxLines: number;
  readonly maxSize: number;
  readonly minSize: number;
}

/**
 * Shrink to fit, then wrap: the first of `ways` (e.g. one line at a large size, else two lines, else
 * more lines at a smaller size) that shows all of the text; the last way, cut, when none does. Sizes
 * in `ways` are multiplied by `scale`.
 */
export function fitFirstWay(
  texts: readonly string[],
  options: Omit<FitOptions, 'maxSize' | 'minSize' | 'maxLines' | 'height' | 'blockGap'> & {
    readonly blockGap?: number;
  },
  ways: readonly [FitWay, ...FitWay[]],
  scale = 1,
): FittedText {
  let fitted: FittedText | undefined;
  for (const way of ways) {
    fitted = fitText(texts, {
      blockGap: 0,
      ...options,
      maxLines: way.maxLines,
      maxSize: way.maxSize * scale,
      minSize: way.minSize * scale,
      height: way.maxLines * way.maxSize * scale * options.lineHeight,
    });
    if (fitted.complete) return fitted;
  }
  return fitted as FittedText;
}
