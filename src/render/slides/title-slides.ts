/**
 * The title slide (the lesson's title, its subtitle and author) and the closing slide (the lesson's
 * title again, the slides it covered, the author), in the colours of either style. Neither has fixed
 * words in it, so they read right whatever language the lesson is in.
 */
import type { Lesson, RenderStyle } from '../lesson/model.js';
import { fitFirstWay, fitText, type FitWay } from './fit-text.js';
import { clampLines, wrapText } from './text-layout.js';
import { FONT_FAMILY, type SlideFonts } from './fonts.js';
import { num, svgDocument, textElements, type TextLine } from './svg.js';
import { DEFAULT_THEME, frameScale, SCROLLING_THEME } from './theme.js';

export interface TitleSlideContext {
  readonly style: RenderStyle;
  readonly width: number;
  readonly height: number;
  readonly fonts: SlideFonts;
}

/** The closing slide lists at most this many slide titles. */
const CLOSING_TOPICS = 8;

function palette(style: RenderStyle) {
  return style === 'default'
    ? {
        background: DEFAULT_THEME.background,
        accent: DEFAULT_THEME.accent,
        title: DEFAULT_THEME.title,
        text: DEFAULT_THEME.body,
        muted: DEFAULT_THEME.muted,
      }
    : {
        background: SCROLLING_THEME.background,
        accent: SCROLLING_THEME.accent,
        title: SCROLLING_THEME.text,
        text: SCROLLING_THEME.text,
        muted: SCROLLING_THEME.heading,
      };
}

interface Block {
  readonly lines: readonly string[];
  readonly fontSize: number;
  readonly lineHeight: number;
  readonly fill: string;
  readonly bold: boolean;
  /** Space above the block, in pixels. */
  readonly gapAbove: number;
}

function fitted(
  text: string | readonly string[],
  font: SlideFonts['regular'],
  size: { max: number; min: number; width: number; height: number; maxLines: number },
): { lines: string[]; fontSize: number; lineHeight: number } {
  const fit = fitText(typeof text === 'string' ? [text] : text, {
    font,
    maxSize: size.max,
    minSize: size.min,
    width: size.width,
    height: size.height,
    lineHeight: 1.2,
    blockGap: 0.35,
    maxLines: size.maxLines,
  });
  return { lines: fit.blocks.flat(), fontSize: fit.fontSize, lineHeight: fit.lineHeight };
}

/** The lesson's title (px at 1280×720): shrink to fit, then wrap onto more lines, never cut. */
const TITLE_SLIDE_WAYS: readonly [FitWay, ...FitWay[]] = [
  { maxLines: 2, maxSize: 64, minSize: 44 },
  { maxLines: 3, maxSize: 52, minSize: 34 },
  { maxLines: 7, maxSize: 40, minSize: 24 },
];
const CLOSING_TITLE_WAYS: readonly [FitWay, ...FitWay[]] = [
  { maxLines: 1, maxSize: 48, minSize: 36 },
  { maxLines: 2, maxSize: 44, minSize: 30 },
  { maxLines: 7, maxSize: 36, minSize: 22 },
];

function fittedTitle(
  title: string,
  font: SlideFonts['bold'],
  width: number,
  scale: number,
  ways: readonly [FitWay, ...FitWay[]],
): { lines: string[]; fontSize: number; lineHeight: number } {
  const fit = fitFirstWay([title], { font, width, lineHeight: 1.2 }, ways, scale);
  return { lines: fit.blocks.flat(), fontSize: fit.fontSize, lineHeight: fit.lineHeight };
}

/**
 * The closing slide's topics, one line each: the largest size at which all fit; when one is too long
 * for a line even at the smallest size, it alone is cut with an ellipsis, not the whole list shrunk.
 */
function fittedTopics(
  topics: readonly string[],
  font: SlideFonts['regular'],
  size: { max: number; min: number; width: number; height: number },
): { lines: string[]; fontSize: number; lineHeight: number } {
  const fit = fitText(topics, {
    font,
    maxSize: size.max,
    minSize: size.min,
    width: size.width,
    height: size.height,
    lineHeight: 1.2,
    blockGap: 0.35,
    maxLines: topics.length,
  });
  if (fit.complete) return { lines: fit.blocks.flat(), fontSize: fit.fontSize, lineHeight: fit.lineHeight };
  const lineHeight = size.min * 1.2;
  const shown = topics.slice(0, Math.max(1, Math.floor(size.height / lineHeight)));
  return {
    lines: shown.map(
      (topic) =>
        clampLines(wrapText(topic, font, size.min, size.width), 1, font, size.min, size.width)[0] ?? '',
    ),
    fontSize: size.min,
    lineHeight,
  };
}

/** Blocks stacked and centred as a group, each line centred across the frame. */
function centredBlocks(blocks: readonly Block[], context: TitleSlideContext, accentAfter: number): string {
  const { width, height } = context;
  const s = frameScale(width, height);
  const colours = palette(context.style);
  const blockHeight = (block: Block) => block.gapAbove + block.lines.length * block.lineHeight;
  const total = blocks.reduce((sum, block) => sum + blockHeight(block), 0);
  let y = (height - total) / 2;
  const parts: string[] = [];
  blocks.forEach((block, index) => {
    y += block.gapAbove;
    if (index === accentAfter + 1) {
      const ruleY = y - block.gapAbove / 2;
      parts.push(
        `<rect x="${num(width / 2 - 48 * s)}" y="${num(ruleY - 3 * s)}" width="${num(96 * s)}" height="${num(6 * s)}" rx="${num(3 * s)}" fill="${colours.accent}"/>`,
      );
    }
    const lines: TextLine[] = block.lines.map((text, line) => ({
      text,
      x: width / 2,
      y: y + block.fontSize * 0.95 + line * block.lineHeight,
    }));
    parts.push(
      textElements(lines, { fontSize: block.fontSize, fill: block.fill, bold: block.bold, anchor: 'middle' }),
    );
    y += block.lines.length * block.lineHeight;
  });
  return parts.join('');
}

function frame(context: TitleSlideContext, body: string): string {
  const { width, height } = context;
  const s = frameScale(width, height);
  const colours = palette(context.style);
  return svgDocument(
    width,
    height,
    `<rect width="${width}" height="${height}" fill="${colours.background}"/>` +
      `<rect width="${width}" height="${num(10 * s)}" fill="${colours.accent}"/>` +
      `<rect y="${num(height - 10 * s)}" width="${width}" height="${num(10 * s)}" fill="${colours.accent}"/>` +
      body,
    FONT_FAMILY,
  );
}

export function titleSlideSvg(lesson: Lesson, context: TitleSlideContext): string {
  const { width, height, fonts } = context;
  const s = frameScale(width, height);
  const colours = palette(context.style);
  const textWidth = width - 2 * Math.max(80 * s, width * 0.08);
  const title = fittedTitle(lesson.title, fonts.bold, textWidth, s, TITLE_SLIDE_WAYS);
  const blocks: Block[] = [{ ...title, fill: colours.title, bold: true, gapAbove: 0 }];
  if (lesson.subtitle !== undefined) {
    const subtitle = fitted(lesson.subtitle, fonts.regular, {
      max: 34 * s,
      min: 22 * s,
      width: textWidth,
      height: height * 0.2,
      maxLines: 2,
    });
    blocks.push({ ...subtitle, fill: colours.text, bold: false, gapAbove: 56 * s });
  }
  if (lesson.author !== undefined) {
    const author = fitted(lesson.author, fonts.regular, {
      max: 26 * s,
      min: 18 * s,
      width: textWidth,
      height: height * 0.1,
      maxLines: 1,
    });
    blocks.push({
      ...author,
      fill: colours.muted,
      bold: false,
      gapAbove: (lesson.subtitle === undefined ? 56 : 28) * s,
    });
  }
  return frame(context, centredBlocks(blocks, context, 0));
}

export function closingSlideSvg(lesson: Lesson, context: TitleSlideContext): string {
  const { width, height, fonts } = context;
  const s = frameScale(width, height);
  const colours = palette(context.style);
  const textWidth = width - 2 * Math.max(80 * s, width * 0.08);
  const title = fittedTitle(lesson.title, fonts.bold, textWidth, s, CLOSING_TITLE_WAYS);
  const blocks: Block[] = [{ ...title, fill: colours.title, bold: true, gapAbove: 0 }];
  const topics = lesson.slides.slice(0, CLOSING_TOPICS).map((slide) => slide.title);
  if (lesson.slides.length > CLOSING_TOPICS) topics.push('…');
  const list = fittedTopics(topics, fonts.regular, {
    max: 34 * s,
    min: 20 * s,
    width: textWidth,
    height: height * 0.45,
  });
  blocks.push({ ...list, fill: colours.text, bold: false, gapAbove: 48 * s });
  if (lesson.author !== undefined) {
    const author = fitted(lesson.author, fonts.regular, {
      max: 24 * s,
      min: 16 * s,
      width: textWidth,
      height: height * 0.1,
      maxLines: 1,
    });
    blocks.push({ ...author, fill: colours.muted, bold: false, gapAbove: 36 * s });
  }
  return frame(context, centredBlocks(blocks, context, 0));
}
