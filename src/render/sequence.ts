/**
 * What the video shows, in order: the title slide (its title and subtitle spoken), the lesson's slides
 * (their narration spoken sentence by sentence), and a silent closing slide. Each item becomes one
 * image on the timeline; the title slide and each lesson slide start a chapter.
 */
import { splitSentences } from './captions/sentences.js';
import type { PresentationRequest } from './lesson/model.js';

/** How long the closing slide stays, in seconds of silence. */
export const CLOSING_SECONDS = 4;

export type SequenceItem =
  | { readonly kind: 'title'; readonly chapter: string; readonly sentences: readonly string[] }
  | {
      readonly kind: 'slide';
      /** The lesson slide's index. */
      readonly index: number;
      readonly chapter: string;
      readonly sentences: readonly string[];
    }
  | { readonly kind: 'closing'; readonly silenceSeconds: number };

export function videoSequence(request: PresentationRequest): SequenceItem[] {
  const { lesson } = request;
  const items: SequenceItem[] = [];
  if (request.titleSlide) {
    const spoken = [lesson.title, ...(lesson.subtitle === undefined ? [] : [lesson.subtitle])];
    items.push({ kind: 'title', chapter: lesson.title, sentences: spoken.flatMap(splitSentences) });
  }
  lesson.slides.forEach((slide, index) => {
    items.push({ kind: 'slide', index, chapter: slide.title, sentences: splitSentences(slide.narration) });
  });
  if (request.closingSlide) items.push({ kind: 'closing', silenceSeconds: CLOSING_SECONDS });
  return items;
}
