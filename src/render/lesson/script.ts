/**
 * Splits a plain script into slides: paragraphs (separated by blank lines) are grouped until a slide
 * holds about `SLIDE_TARGET_CHARS` characters (some 30 seconds of speech); a paragraph longer than that
 * is cut between sentences, and a sentence longer than that between words.
 */
import { LESSON_LIMITS } from './model.js';
import { splitParagraphs } from './text.js';

export const SLIDE_TARGET_CHARS = 450;

export interface RawSlide {
  title: string;
  bullets: string[];
  narration: string;
  /** From Markdown's `![alt](src)`; checked by validateLesson. */
  image?: { src: string; alt: string };
}

/** Pieces of at most `size` code points, for a "word" longer than a slide. */
function hardSplit(word: string, size: number): string[] {
  const characters = [...word];
  const pieces: string[] = [];
  for (let start = 0; start < characters.length; start += size)
    pieces.push(characters.slice(start, start + size).join(''));
  return pieces;
}

function splitLongText(text: string, target: number): string[] {
  if (text.length <= target) return [text];
  const sentences = text.split(/(?<=[.!?…。！？])\s+/);
  const units = sentences
    .flatMap((sentence) => (sentence.length <= target ? [sentence] : sentence.split(/\s+/)))
    .flatMap((unit) => (unit.length <= target ? [unit] : hardSplit(unit, target)));
  const pieces: string[] = [];
  let current = '';
  for (const unit of units) {
    if (current !== '' && current.length + 1 + unit.length > target) {
      pieces.push(current);
      current = unit;
    } else {
      current = current === '' ? unit : `${current} ${unit}`;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

function groupPieces(pieces: readonly string[], target: number): string[] {
  const slides: string[][] = [];
  let size = 0;
  for (const piece of pieces) {
    const current = slides.at(-1);
    if (current !== undefined && size + piece.length <= target) {
      current.push(piece);
      size += piece.length;
    } else {
      slides.push([piece]);
      size = piece.length;
    }
  }
  return slides.map((slide) => slide.join('\n\n'));
}

/** The narration of each slide a script becomes; paragraphs inside a slide are kept. */
export function groupScript(script: string): string[] {
  const paragraphs = splitParagraphs(script);
  const total = paragraphs.reduce((sum, paragraph) => sum + paragraph.length, 0);
  let target = Math.max(SLIDE_TARGET_CHARS, Math.ceil(total / LESSON_LIMITS.maxSlides));
  for (;;) {
    const slides = groupPieces(
      paragraphs.flatMap((paragraph) => splitLongText(paragraph, target)),
      target,
    );
    // Greedy grouping can need up to twice the ideal count: grow the slides until they fit the limit.
    if (slides.length <= LESSON_LIMITS.maxSlides || target >= total) return slides;
    target = Math.ceil(target * 1.25);
  }
}

export function scriptToSlides(script: string, lessonTitle: string): RawSlide[] {
  const narrations = groupScript(script);
  return narrations.map((narration, index) => ({
    title: narrations.length === 1 ? lessonTitle : `Part ${index + 1}`,
    bullets: [],
    narration,
  }));
}
