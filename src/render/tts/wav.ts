/** Just enough of the WAV format for speech clips: read a PCM header, and join clips into one file. */
import { open, readFile } from 'node:fs/promises';

export interface WavInfo {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly dataOffset: number;
  readonly dataLength: number;
  readonly durationSeconds: number;
}

export function readWavInfo(wav: Uint8Array): WavInfo {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const tag = (offset: number): string => String.fromCharCode(...wav.subarray(offset, offset + 4));
  if (wav.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let format: { sampleRate: number; channels: number; bitsPerSample: number } | undefined;
  let offset = 12;
  while (offset + 8 <= wav.byteLength) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (view.getUint16(body, true) !== 1) throw new Error('WAV is not PCM');
      format = {
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data chunk comes before its fmt chunk');
      // A writer that could not seek leaves a huge size (eSpeak) or zero (a streaming speech server):
      // the data then runs to the end of the file.
      const rest = wav.byteLength - body;
      const dataLength =
        size === 0 ? rest - (rest % (format.channels * (format.bitsPerSample / 8))) : Math.min(size, rest);
      const bytesPerSecond = format.sampleRate * format.channels * (format.bitsPerSample / 8);
      return { ...format, dataOffset: body, dataLength, durationSeconds: dataLength / bytesPerSecond };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

/** Samples quieter than this (of full scale) count as silence when looking for where speech is. */
const SILENCE_LEVEL = 0.01;

/**
 * Where the sound in a clip starts and ends, in seconds from its start: the first and last sample
 * louder than 1% of full scale. 16-bit PCM only (what eSpeak NG writes); other formats, and a silent
 * clip, answer the whole clip.
 */
export function soundBounds(wav: Uint8Array): { startSeconds: number; endSeconds: number } {
  const info = readWavInfo(wav);
  const whole = { startSeconds: 0, endSeconds: info.durationSeconds };
  if (info.bitsPerSample !== 16) return whole;
  const view = new DataView(wav.buffer, wav.byteOffset + info.dataOffset, info.dataLength);
  const frames = Math.floor(info.dataLength / (2 * info.channels));
  const threshold = SILENCE_LEVEL * 32768;
  const loud = (frame: number): boolean => {
    for (let channel = 0; channel < info.channels; channel++) {
      if (Math.abs(view.getInt16((frame * info.channels + channel) * 2, true)) > threshold) return true;
    }
    return false;
  };
  let first = 0;
  while (first < frames && !loud(first)) first++;
  if (first === frames) return whole;
  let last = frames - 1;
  while (last > first && !loud(last)) last--;
  return { startSeconds: first / info.sampleRate, endSeconds: (last + 1) / info.sampleRate };
}

function pcmHeader(
  info: Pick<WavInfo, 'sampleRate' | 'channels' | 'bitsPerSample'>,
  dataLength: number,
): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = info.channels * (info.bitsPerSample / 8);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataLength, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(info.channels, 22);
  header.writeUInt32LE(info.sampleRate, 24);
  header.writeUInt32LE(info.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(info.bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataLength, 40);
  return header;
}

/** A WAV file of headerless PCM samples in `format`. */
export function wavFromPcm(
  pcm: Uint8Array,
  format: Pick<WavInfo, 'sampleRate' | 'channels' | 'bitsPerSample'>,
): Uint8Array {
  return Buffer.concat([pcmHeader(format, pcm.byteLength), pcm]);
}

/** A part of a joined narration: a clip's path, or that many seconds of silence. */
export type WavPart = string | { readonly silenceSeconds: number };

/**
 * Writes the clips one after the other into `outputPath`, holding one clip in memory at a time. All
 * clips must share one format, and silences take it too. Returns the exact length of each part in
 * seconds: where sentences and slides change.
 */
export async function joinWavFiles(parts: readonly WavPart[], outputPath: string): Promise<number[]> {
  const clipPaths = parts.filter((part): part is string => typeof part === 'string');
  const firstPath = clipPaths[0];
  if (firstPath === undefined) throw new Error('no speech clips to join');
  const format = readWavInfo(await readFile(firstPath));
  const output = await open(outputPath, 'w');
  try {
    let position = 44;
    const durations: number[] = [];
    for (const path of parts) {
      if (typeof path !== 'string') {
        const blockAlign = format.channels * (format.bitsPerSample / 8);
        const frames = Math.round(path.silenceSeconds * format.sampleRate);
        // Zero is silence in 16-bit PCM; 8-bit PCM is unsigned, its silence is 128.
        const silence = Buffer.alloc(frames * blockAlign, format.bitsPerSample === 8 ? 128 : 0);
        await output.write(silence, 0, silence.length, position);
        position += silence.length;
        durations.push(frames / format.sampleRate);
        continue;
      }
      const clip = await readFile(path);
      const info = readWavInfo(clip);
      if (
        info.sampleRate !== format.sampleRate ||
        info.channels !== format.channels ||
        info.bitsPerSample !== format.bitsPerSample
      ) {
        throw new Error('speech clips differ in format and cannot be joined');
      }
      const data = clip.subarray(info.dataOffset, info.dataOffset + info.dataLength);
      await output.write(data, 0, data.length, position);
      position += data.length;
      durations.push(info.durationSeconds);
    }
    await output.write(pcmHeader(format, position - 44), 0, 44, 0);
    return durations;
  } finally {
    await output.close();
  }
}
