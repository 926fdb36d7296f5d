/**
 * Speaks a video's sequence one sentence at a time (a few at once; speech is cached per sentence),
 * joins the clips into one narration track, and says where each item and each sentence sits in it:
 * the slide timeline comes from the items' lengths, the captions from the sentences' sounds.
 */
import { mapConcurrently } from './concurrency.js';
import type { SpokenSentence } from './captions/cues.js';
import type { SequenceItem } from './sequence.js';
import type { SpeechClip, SpeechSynthesizer } from './tts/synthesize.js';
import { joinWavFiles, type WavPart } from './tts/wav.js';

/** Speech requests in flight; the engine runs at most two at a time anyway. */
const PARALLEL_SPEECH = 4;

export interface Narration {
  /** Length of each item of the sequence, in seconds. */
  readonly itemSeconds: readonly number[];
  /** Every sentence spoken, in order, with where its sound is in the narration. */
  readonly sentences: readonly SpokenSentence[];
}

export interface SpeakOptions {
  readonly synthesizer: SpeechSynthesizer;
  readonly voice: string;
  readonly outputPath: string;
  readonly signal: AbortSignal;
  /** Called after each sentence with the number spoken so far and the total. */
  readonly onSpoken?: (done: number, total: number) => void;
}

export async function speakSequence(
  items: readonly SequenceItem[],
  options: SpeakOptions,
): Promise<Narration> {
  const texts = items.flatMap((item) => (item.kind === 'closing' ? [] : item.sentences));
  let spoken = 0;
  const clips = await mapConcurrently(texts, PARALLEL_SPEECH, async (text) => {
    const clip = await options.synthesizer.synthesize(text, options.voice, { signal: options.signal });
    options.onSpoken?.(++spoken, texts.length);
    return clip;
  });
  const parts: WavPart[] = [];
  const partsPerItem: number[] = [];
  let next = 0;
  for (const item of items) {
    if (item.kind === 'closing') {
      parts.push({ silenceSeconds: item.silenceSeconds });
      partsPerItem.push(1);
      continue;
    }
    const own = clips.slice(next, next + item.sentences.length);
    next += item.sentences.length;
    parts.push(...own.map((clip) => clip.wavPath));
    partsPerItem.push(own.length);
  }
  const partSeconds = await joinWavFiles(parts, options.outputPath);
  return {
    itemSeconds: sumPerItem(partSeconds, partsPerItem),
    sentences: place(texts, clips, parts, partSeconds),
  };
}

function sumPerItem(partSeconds: readonly number[], partsPerItem: readonly number[]): number[] {
  let index = 0;
  return partsPerItem.map((count) => {
    const seconds = partSeconds.slice(index, index + count).reduce((sum, value) => sum + value, 0);
    index += count;
    return seconds;
  });
}

function place(
  texts: readonly string[],
  clips: readonly SpeechClip[],
  parts: readonly WavPart[],
  partSeconds: readonly number[],
): SpokenSentence[] {
  const sentences: SpokenSentence[] = [];
  let offset = 0;
  let clip = 0;
  parts.forEach((part, index) => {
    if (typeof part === 'string') {
      const { soundStartSeconds, soundEndSeconds } = clips[clip] as SpeechClip;
      sentences.push({
        text: texts[clip] as string,
        startSeconds: offset + soundStartSeconds,
        endSeconds: offset + soundEndSeconds,
      });
      clip++;
    }
    offset += partSeconds[index] as number;
  });
  return sentences;
}
