/**
 * The `default` style: a designed slide with the slide's title, its bullets (or, without bullets, its
 * narration), an accent bar and rule, and a footer with the lesson's title and the slide number.
 */
import type { LessonSlide } from '../lesson/model.js';
import { fitFirstWay, fitText, type FittedText, type FitWay } from './fit-text.js';
import { placeSlideImage } from './slide-image.js';
import { FONT_FAMILY, type SlideFonts } from './fonts.js';
import { clampLines, wrapText } from './text-layout.js';
import { num, svgDocument, textElements, type TextLine } from './svg.js';
import { DEFAULT_THEME as THEME, frameScale } from './theme.js';

export interface SlideContext {
  readonly lessonTitle: string;
  /** Zero-based. */
  readonly index: number;
  readonly count: number;
  readonly width: number;
  readonly height: number;
  readonly fonts: SlideFonts;
}

/** Title sizes (px at 1280×720): shrink to fit one line, then wrap to two, then to more, smaller. */
const TITLE_WAYS: readonly [FitWay, ...FitWay[]] = [
  { maxLines: 1, maxSize: 56, minSize: 42 },
  { maxLines: 2, maxSize: 48, minSize: 32 },
  { maxLines: 6, maxSize: 40, minSize: 24 },
];

/** The slide title's lines: never cut for a title of up to 200 characters at 1280×720 or 720×1280. */
export function fitSlideTitle(title: string, fonts: SlideFonts, s: number, width: number): FittedText {
  return fitFirstWay([title], { font: fonts.bold, width, lineHeight: 1.2 }, TITLE_WAYS, s);
}

/** Body sizes (px at 1280×720): `fit` is the largest size tried first; sparse text grows up to `grow`. */
const BODY_SIZES = {
  bullets: { fit: 36, grow: 46, growOneLine: 60, min: 18, lineHeight: 1.35, blockGap: 0.55 },
  paragraphs: { fit: 32, grow: 38, growOneLine: 52, min: 18, lineHeight: 1.35, blockGap: 0.7 },
} as const;

/** The body laid out in its box: fitted text, and where each block's top goes. */
export interface BodyLayout {
  readonly text: FittedText;
  /** Top of each block (of `text.blocks`), in frame pixels. */
  readonly blockTops: readonly number[];
}

function lineCount(fitted: FittedText): number {
  return fitted.blocks.reduce((sum, block) => sum + block.length, 0);
}

/**
 * Fits the body into the box from `top` to `bottom`, then uses the room left: text that fits easily
 * grows (while it fits and no line wraps onto another), the gaps between blocks widen, and the whole
 * sits in the middle of the box, a little above the centre.
 */
export function layoutBody(
  texts: readonly string[],
  bulleted: boolean,
  font: SlideFonts['regular'],
  box: { readonly width: number; readonly top: number; readonly bottom: number; readonly scale: number },
): BodyLayout {
  const sizes = bulleted ? BODY_SIZES.bullets : BODY_SIZES.paragraphs;
  const s = box.scale;
  const height = box.bottom - box.top;
  const options = {
    font,
    width: box.width,
    height,
    lineHeight: sizes.lineHeight,
    blockGap: sizes.blockGap,
  };
  let text = fitText(texts, { ...options, maxSize: sizes.fit * s, minSize: sizes.min * s });
  if (text.complete) {
    const lines = lineCount(text);
    const grow = (lines === 1 ? sizes.growOneLine : sizes.grow) * s;
    const step = Math.max(1, 2 * s);
    for (let size = text.fontSize + step; size <= grow + 1e-9; size += step) {
      const bigger = fitText(texts, { ...options, maxSize: size, minSize: size });
      if (!bigger.complete || lineCount(bigger) > lines) break;
      text = bigger;
    }
  }
  const gaps = Math.max(0, text.blocks.length - 1);
  const free = Math.max(0, height - text.height);
  // Half the room left (at most one more font size per gap) widens the gaps between blocks.
  const extraGap = gaps === 0 ? 0 : Math.min(text.fontSize, (free * 0.5) / gaps);
  const used = text.height + extraGap * gaps;
  let y = box.top + Math.max(0, height - used) * 0.45;
  const blockTops = text.blocks.map((block) => {
    const top = y;
    y += block.length * text.lineHeight + text.fontSize * sizes.blockGap + extraGap;
    return top;
  });
  return { text, blockTops };
}

/**
 * The slide as SVG. With `shownBullets`, only that many of the first bullets are drawn, where they
 * stand on the whole slide (for bullets that appear as they are spoken).
 */
export function defaultSlideSvg(
  slide: LessonSlide,
  context: SlideContext,
  shownBullets = slide.bullets.length,
): string {
  const { width, height, fonts } = context;
  const s = frameScale(width, height);
  const marginX = Math.max(80 * s, width * 0.06);
  const contentWidth = width - 2 * marginX;
  const footerHeight = 64 * s;
  const parts: string[] = [
    `<rect width="${width}" height="${height}" fill="${THEME.background}"/>`,
    `<rect width="${width}" height="${num(10 * s)}" fill="${THEME.accent}"/>`,
  ];

  const title = fitSlideTitle(slide.title, fonts, s, contentWidth);
  let y = 64 * s;
  const titleLines: TextLine[] = (title.blocks[0] ?? []).map((text, line) => ({
    text,
    x: marginX,
    y: y + title.fontSize * 0.95 + line * title.lineHeight,
  }));
  parts.push(textElements(titleLines, { fontSize: title.fontSize, fill: THEME.title, bold: true }));
  y += title.height + 22 * s;
  parts.push(
    `<rect x="${num(marginX)}" y="${num(y)}" width="${num(96 * s)}" height="${num(6 * s)}" rx="${num(3 * s)}" fill="${THEME.accent}"/>`,
  );
  y += 6 * s + 40 * s;

  // The slide's image, if any, takes the right of the body area (or its bottom): the text gets the rest.
  const bodyArea = { x: marginX, y, width: contentWidth, height: height - footerHeight - 16 * s - y };
  const image = placeSlideImage(slide.image, bodyArea, { width, height }, 40 * s);
  parts.push(image.svg);

  const bulleted = slide.bullets.length > 0;
  const indent = bulleted ? 44 * s : 0;
  const body = layoutBody(bulleted ? slide.bullets : slide.narration.split('\n\n'), bulleted, fonts.regular, {
    width: image.text.width - indent,
    top: image.text.y,
    bottom: image.text.y + image.text.height,
    scale: s,
  });
  const { fontSize, lineHeight } = body.text;
  body.text.blocks.slice(0, bulleted ? shownBullets : undefined).forEach((block, index) => {
    const top = body.blockTops[index] as number;
    if (bulleted) {
      parts.push(
        `<circle cx="${num(marginX + 10 * s)}" cy="${num(top + lineHeight / 2)}" r="${num(Math.max(2, 0.2 * fontSize))}" fill="${THEME.accent}"/>`,
      );
    }
    const lines = block.map((text, line) => ({
      text,
      x: marginX + indent,
      y: top + (lineHeight + fontSize * 0.7) / 2 + line * lineHeight,
    }));
    parts.push(textElements(lines, { fontSize, fill: THEME.body }));
  });

  const footerY = height - footerHeight / 2 + 7 * s;
  const footerSize = 20 * s;
  const number = `${context.index + 1} / ${context.count}`;
  const footerWidth = contentWidth - fonts.regular.measure(number, footerSize) - 32 * s;
  const [footerTitle] = clampLines(
    wrapText(context.lessonTitle, fonts.regular, footerSize, footerWidth),
    1,
    fonts.regular,
    footerSize,
    footerWidth,
  );
  parts.push(
    `<rect x="${num(marginX)}" y="${num(height - footerHeight)}" width="${num(contentWidth)}" height="${num(Math.max(1, s))}" fill="${THEME.rule}"/>`,
  );
  parts.push(
    textElements([{ text: footerTitle ?? '', x: marginX, y: footerY }], {
      fontSize: footerSize,
      fill: THEME.muted,
    }),
  );
  parts.push(
    textElements([{ text: number, x: width - marginX, y: footerY }], {
      fontSize: footerSize,
      fill: THEME.muted,
      anchor: 'end',
      bold: true,
    }),
  );
  return svgDocument(width, height, parts.join(''), FONT_FAMILY);
}
