/**
 * Line breaking by measured width. Words break at spaces; a word wider than the line (a URL, a long
 * compound) breaks between graphemes, so nothing ever runs off a slide.
 */
import type { FontMetrics } from './font-metrics.js';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export const ELLIPSIS = '…';

function breakWord(word: string, maxWidth: number, measure: (text: string) => number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const { segment } of graphemes.segment(word)) {
    if (current !== '' && measure(current + segment) > maxWidth) {
      pieces.push(current);
      current = segment;
    } else {
      current += segment;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** Lines of `text` (one paragraph) that fit `maxWidth` at `fontSize`. */
export function wrapText(text: string, font: FontMetrics, fontSize: number, maxWidth: number): string[] {
  const measure = (piece: string): number => font.measure(piece, fontSize);
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (measure(candidate) <= maxWidth) {
      current = candidate;
      continue;
    }
    if (current !== '') lines.push(current);
    if (measure(word) <= maxWidth) {
      current = word;
    } else {
      const pieces = breakWord(word, maxWidth, measure);
      current = pieces.pop() ?? '';
      lines.push(...pieces);
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

/** `line` shortened so that it and an ellipsis fit `maxWidth`. */
export function withEllipsis(line: string, font: FontMetrics, fontSize: number, maxWidth: number): string {
  const parts = [...graphemes.segment(line)].map(({ segment }) => segment);
  while (parts.length > 0 && font.measure(parts.join('') + ELLIPSIS, fontSize) > maxWidth) parts.pop();
  return parts.join('').trimEnd() + ELLIPSIS;
}

/** At most `maxLines` lines; when text is cut, the last line ends with an ellipsis. */
export function clampLines(
  lines: readonly string[],
  maxLines: number,
  font: FontMetrics,
  fontSize: number,
  maxWidth: number,
): string[] {
  if (lines.length <= maxLines) return [...lines];
  if (maxLines <= 0) return [];
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = withEllipsis(kept[maxLines - 1] as string, font, fontSize, maxWidth);
  return kept;
}
