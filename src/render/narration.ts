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
  /**
   * Called each time more of the sequence's first items are spoken whole (never the closing item,
   * whose silence is known with the whole narration): their lengths and sentences, exactly as the
   * finished narration will have them, so the video of those items can be encoded meanwhile.
   */
  readonly onItemsSpoken?: (spoken: Narration) => void;
}

export async function speakSequence(
  items: readonly SequenceItem[],
  options: SpeakOptions,
): Promise<Narration> {
  const texts = items.flatMap((item) => (item.kind === 'closing' ? [] : item.sentences));
  let spoken = 0;
  const done: (SpeechClip | undefined)[] = texts.map(() => undefined);
  const prefix = spokenPrefix(items, texts, options.onItemsSpoken);
  const clips = await mapConcurrently(texts, PARALLEL_SPEECH, async (text, index) => {
    const clip = await options.synthesizer.synthesize(text, options.voice, { signal: options.signal });
    options.onSpoken?.(++spoken, texts.length);
    done[index] = clip;
    prefix?.(done);
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

/**
 * Tells `onItemsSpoken` of each longer run of whole items at the start of the sequence. The lengths
 * of a clip here and in the joined narration are both read from the clip's WAV header, and they are
 * added up by the same functions, so these figures are the finished narration's, to the bit.
 */
function spokenPrefix(
  items: readonly SequenceItem[],
  texts: readonly string[],
  onItemsSpoken: SpeakOptions['onItemsSpoken'],
): ((done: readonly (SpeechClip | undefined)[]) => void) | undefined {
  if (!onItemsSpoken) return undefined;
  let told = 0;
  return (done) => {
    let whole = 0;
    let clipCount = 0;
    for (const item of items) {
      if (item.kind === 'closing') break;
      const own = done.slice(clipCount, clipCount + item.sentences.length);
      if (own.length < item.sentences.length || own.some((clip) => clip === undefined)) break;
      clipCount += item.sentences.length;
      whole++;
    }
    if (whole <= told) return;
    told = whole;
    const clips = done.slice(0, clipCount) as SpeechClip[];
    const partSeconds = clips.map((clip) => clip.durationSeconds);
    const partsPerItem = items
      .slice(0, whole)
      .map((item) => (item.kind === 'closing' ? 1 : item.sentences.length));
    onItemsSpoken({
      itemSeconds: sumPerItem(partSeconds, partsPerItem),
      sentences: place(
        texts,
        clips,
        clips.map((clip) => clip.wavPath),
        partSeconds,
      ),
    });
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
