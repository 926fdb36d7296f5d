/**
 * The `default` style: a designed slide with the slide's title, its bullets (or, without bullets, its
 * narration), an accent bar and rule, and a footer with the lesson's title and the slide number.
 */
import type { LessonSlide } from '../lesson/model.js';
import { fitText } from './fit-text.js';
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

export function defaultSlideSvg(slide: LessonSlide, context: SlideContext): string {
  const { width, height, fonts } = context;
  const s = frameScale(width, height);
  const marginX = Math.max(80 * s, width * 0.06);
  const contentWidth = width - 2 * marginX;
  const footerHeight = 64 * s;
  const parts: string[] = [
    `<rect width="${width}" height="${height}" fill="${THEME.background}"/>`,
    `<rect width="${width}" height="${num(10 * s)}" fill="${THEME.accent}"/>`,
  ];

  const title = fitText([slide.title], {
    font: fonts.bold,
    maxSize: 56 * s,
    minSize: 34 * s,
    width: contentWidth,
    height: 2 * 56 * s * 1.2,
    lineHeight: 1.2,
    blockGap: 0,
    maxLines: 2,
  });
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
  const body = fitText(bulleted ? slide.bullets : slide.narration.split('\n\n'), {
    font: fonts.regular,
    maxSize: (bulleted ? 36 : 32) * s,
    minSize: 18 * s,
    width: image.text.width - indent,
    height: image.text.height,
    lineHeight: 1.35,
    blockGap: bulleted ? 0.55 : 0.7,
  });
  for (const block of body.blocks) {
    if (bulleted) {
      const centre = y + body.lineHeight / 2;
      parts.push(
        `<circle cx="${num(marginX + 10 * s)}" cy="${num(centre)}" r="${num(Math.max(2, 0.2 * body.fontSize))}" fill="${THEME.accent}"/>`,
      );
    }
    const lines = block.map((text, line) => ({
      text,
      x: marginX + indent,
      y: y + (body.lineHeight + body.fontSize * 0.7) / 2 + line * body.lineHeight,
    }));
    parts.push(textElements(lines, { fontSize: body.fontSize, fill: THEME.body }));
    y += block.length * body.lineHeight + body.fontSize * (bulleted ? 0.55 : 0.7);
  }

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
