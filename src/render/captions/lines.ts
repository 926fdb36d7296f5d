/**
 * Caption text broken into cues: lines of at most `CAPTION_LINE_CHARS` characters, broken only
 * between words (a single word longer than a line gets a line of its own rather than being cut), and
 * at most `CAPTION_MAX_LINES` lines a cue.
 */

export const CAPTION_LINE_CHARS = 42;
export const CAPTION_MAX_LINES = 2;

/** Characters as a reader counts them (code points, so an emoji is one). */
export function charCount(text: string): number {
  return [...text].length;
}

/** Greedy word wrap: each line as full as it can be without passing `width` characters. */
export function wrapWords(text: string, width = CAPTION_LINE_CHARS): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (line === '') line = word;
    else if (charCount(line) + 1 + charCount(word) <= width) line = `${line} ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A line fits when it has at most `CAPTION_LINE_CHARS` characters, or is a single word that cannot be cut. */
function fits(line: string): boolean {
  return charCount(line) <= CAPTION_LINE_CHARS || !line.includes(' ');
}

/** The text on one line, or on two with the break as near the middle as the words allow; undefined if it needs more. */
function oneCue(text: string): string[] | undefined {
  if (fits(text)) return [text];
  const words = text.split(' ');
  let best: string[] | undefined;
  let bestLonger = Infinity;
  for (let split = 1; split < words.length; split++) {
    const first = words.slice(0, split).join(' ');
    const second = words.slice(split).join(' ');
    const longer = Math.max(charCount(first), charCount(second));
    if (fits(first) && fits(second) && longer < bestLonger) {
      best = [first, second];
      bestLonger = longer;
    }
  }
  return best;
}

/** The words cut into `count` runs of about equal length, each cut between words. */
function splitEvenly(words: readonly string[], count: number): string[][] {
  const total = words.reduce((sum, word) => sum + charCount(word) + 1, 0);
  const runs: string[][] = [[]];
  let length = 0;
  words.forEach((word, index) => {
    const run = runs[runs.length - 1] as string[];
    const target = (total * runs.length) / count;
    const withWord = length + charCount(word) + 1;
    const wordsLeft = words.length - index;
    const runsLeft = count - runs.length;
    // Cut before this word when that lands nearer the target than cutting after it.
    if (run.length > 0 && runsLeft > 0 && (withWord - target > target - length || wordsLeft <= runsLeft)) {
      runs.push([word]);
    } else run.push(word);
    length = withWord;
  });
  return runs;
}

/**
 * The cues of one sentence, each a list of one or two lines: as few cues as fit, of about equal
 * length (so a sentence never ends on a one-word cue when it can be avoided), each line broken near
 * its middle.
 */
export function captionBlocks(text: string): string[][] {
  const words = text.split(/\s+/).filter((word) => word !== '');
  const fewest = Math.ceil(wrapWords(text).length / CAPTION_MAX_LINES);
  for (let count = Math.max(1, fewest); count <= words.length; count++) {
    const cues = splitEvenly(words, count).map((run) => oneCue(run.join(' ')));
    if (cues.every((cue) => cue !== undefined)) return cues;
  }
  return words.map((word) => [word]);
}
