/**
 * Narration split into sentences: speech is synthesized one sentence at a time, so each caption is
 * timed by the audio its own sentence produced. A sentence ends at `.`, `!`, `?` or `…` (closing quotes
 * and brackets may follow) when the next word does not start with a lower-case letter, and at a
 * paragraph break. "Dr. Smith" therefore splits after "Dr.", which only costs a short pause.
 */
import { splitParagraphs } from '../lesson/text.js';

const SENTENCE_END = /[.!?…]["'”’)\]]*$/u;
const LOWER_CASE_START = /^["'“‘([]*\p{Ll}/u;

export function splitSentences(narration: string): string[] {
  const sentences: string[] = [];
  for (const paragraph of splitParagraphs(narration)) {
    const words = paragraph.split(' ');
    let current: string[] = [];
    words.forEach((word, index) => {
      current.push(word);
      const next = words[index + 1];
      if (next !== undefined && SENTENCE_END.test(word) && !LOWER_CASE_START.test(next)) {
        sentences.push(current.join(' '));
        current = [];
      }
    });
    if (current.length > 0) sentences.push(current.join(' '));
  }
  return sentences;
}
