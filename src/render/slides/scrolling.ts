/**
 * The `scrolling` style: the whole script on one tall column that scrolls past a reading line, the
 * slide being spoken bright and the others dimmed. For slide i we draw one image that is a frame taller
 * than the video by the distance the text travels while slide i is spoken (`travel`); the encoder holds
 * it and slides a frame-sized window down it. A static overlay (fades and the reading mark) goes on top.
 */
import type { Lesson } from '../lesson/model.js';
import { FONT_FAMILY, type SlideFonts } from './fonts.js';
import { columnImage, columnImageElements, type ColumnImage } from './slide-image.js';
import { num, svgDocument, textElements } from './svg.js';
import { frameScale, SCROLLING_THEME as THEME } from './theme.js';
import { wrapText } from './text-layout.js';

interface ScrollLine {
  readonly text: string;
  /** Baseline, in column coordinates (0 is the top of the lesson title). */
  readonly y: number;
  readonly fontSize: number;
  readonly kind: 'lesson-title' | 'heading' | 'text';
  /** The slide the line belongs to, or -1 for the lesson title. */
  readonly slide: number;
}

export interface ScrollLayout {
  readonly width: number;
  readonly height: number;
  readonly columnX: number;
  readonly columnWidth: number;
  /** Where the top of the slide being spoken sits when its narration starts, in frame pixels. */
  readonly readingLine: number;
  readonly lines: readonly ScrollLine[];
  /** Top of each slide's block in column coordinates, plus the end of the text: `slides + 1` entries. */
  readonly slideTops: readonly number[];
  /** The slides' images, under their text, in column coordinates. */
  readonly images: readonly ColumnImage[];
}

export function layoutScroll(
  lesson: Lesson,
  size: { width: number; height: number },
  fonts: SlideFonts,
): ScrollLayout {
  const { width, height } = size;
  const s = frameScale(width, height);
  const columnWidth = Math.min(width - 2 * Math.max(48 * s, width * 0.08), 1000 * s);
  const columnX = (width - columnWidth) / 2;
  const lines: ScrollLine[] = [];
  let y = 0;
  const add = (
    text: string,
    fontSize: number,
    kind: ScrollLine['kind'],
    slide: number,
    lineHeight: number,
  ): void => {
    const font = kind === 'text' ? fonts.regular : fonts.bold;
    for (const line of wrapText(text, font, fontSize, columnWidth)) {
      lines.push({ text: line, y: y + fontSize * 0.95 + (lineHeight - fontSize) / 2, fontSize, kind, slide });
      y += lineHeight;
    }
  };

  add(lesson.title, 48 * s, 'lesson-title', -1, 48 * s * 1.25);
  y += 40 * s;
  const slideTops: number[] = [];
  const images: ColumnImage[] = [];
  const textSize = 34 * s;
  lesson.slides.forEach((slide, index) => {
    // Whole pixels, so that where one slide's image ends the next one's starts exactly.
    y = Math.round(y);
    slideTops.push(y);
    add(slide.title, 26 * s, 'heading', index, 26 * s * 1.5);
    y += 8 * s;
    slide.narration.split('\n\n').forEach((paragraph, number) => {
      if (number > 0) y += textSize * 0.6;
      add(paragraph, textSize, 'text', index, textSize * 1.5);
    });
    if (slide.image) {
      const image = columnImage(
        slide.image,
        index,
        { x: columnX, y: y + textSize * 0.4, width: columnWidth },
        height * 0.45,
      );
      images.push(image);
      y = image.y + image.height;
    }
    y += textSize * 1.4;
  });
  slideTops.push(Math.round(y));
  return {
    width,
    height,
    columnX,
    columnWidth,
    readingLine: Math.round(height * 0.38),
    lines,
    slideTops,
    images,
  };
}

/** How far (in pixels) the text moves while slide `index` is spoken. */
export function scrollTravel(layout: ScrollLayout, index: number): number {
  return (layout.slideTops[index + 1] ?? 0) - (layout.slideTops[index] ?? 0);
}

function columnLines(layout: ScrollLayout, highlighted: number, top: number, bottom: number): string {
  const fill = { 'lesson-title': THEME.text, heading: THEME.heading, text: THEME.text } as const;
  return layout.lines
    .filter((line) => line.y > top - line.fontSize && line.y < bottom + line.fontSize)
    .map((line) =>
      textElements([{ text: line.text, x: layout.columnX, y: line.y - top }], {
        fontSize: line.fontSize,
        fill: fill[line.kind],
        bold: line.kind !== 'text',
        opacity: line.slide === highlighted || line.slide === -1 ? 1 : THEME.dimmed,
      }),
    )
    .join('');
}

function columnBackground(layout: ScrollLayout, height: number): string {
  const s = frameScale(layout.width, layout.height);
  const pad = 28 * s;
  return (
    `<rect width="${layout.width}" height="${height}" fill="${THEME.background}"/>` +
    `<rect x="${num(layout.columnX - pad)}" width="${num(layout.columnWidth + 2 * pad)}" height="${height}" fill="${THEME.column}"/>`
  );
}

/** The tall image of slide `index`: the frame at the start of its narration is its top `height` rows. */
export function scrollSlideSvg(layout: ScrollLayout, index: number): string {
  const height = layout.height + scrollTravel(layout, index);
  const top = (layout.slideTops[index] ?? 0) - layout.readingLine;
  return svgDocument(
    layout.width,
    height,
    columnBackground(layout, height) +
      columnLines(layout, index, top, top + height) +
      columnImageElements(layout.images, index, top, top + height, THEME.dimmed),
    FONT_FAMILY,
  );
}

function overlayElements(layout: ScrollLayout): string {
  const { width, height } = layout;
  const s = frameScale(width, height);
  const fade = (id: string, from: number, to: number): string =>
    `<linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1">` +
    `<stop offset="0" stop-color="${THEME.background}" stop-opacity="${from}"/>` +
    `<stop offset="1" stop-color="${THEME.background}" stop-opacity="${to}"/></linearGradient>`;
  const markX = layout.columnX - 28 * s;
  return (
    `<defs>${fade('top', 1, 0)}${fade('bottom', 0, 1)}</defs>` +
    `<rect width="${width}" height="${num(height * 0.22)}" fill="url(#top)"/>` +
    `<rect y="${num(height * 0.74)}" width="${width}" height="${num(height * 0.26 + 1)}" fill="url(#bottom)"/>` +
    `<rect x="${num(markX)}" y="${num(layout.readingLine)}" width="${num(Math.max(2, 6 * s))}" ` +
    `height="${num(26 * s * 1.5)}" fill="${THEME.accent}"/>`
  );
}

/** The fades and the reading mark, drawn over every frame. */
export function scrollOverlaySvg(layout: ScrollLayout): string {
  return svgDocument(layout.width, layout.height, overlayElements(layout), FONT_FAMILY);
}

/** One whole frame: slide `index` with its text moved up by `offset` pixels (for thumbnails and tests). */
export function scrollFrameSvg(layout: ScrollLayout, index: number, offset = 0): string {
  const top = (layout.slideTops[index] ?? 0) - layout.readingLine + offset;
  return svgDocument(
    layout.width,
    layout.height,
    columnBackground(layout, layout.height) +
      columnLines(layout, index, top, top + layout.height) +
      columnImageElements(layout.images, index, top, top + layout.height, THEME.dimmed) +
      overlayElements(layout),
    FONT_FAMILY,
  );
}
