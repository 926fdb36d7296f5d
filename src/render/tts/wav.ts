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
      // A writer that could not seek leaves a huge size: the data then runs to the end of the file.
      const dataLength = Math.min(size, wav.byteLength - body);
      const bytesPerSecond = format.sampleRate * format.channels * (format.bitsPerSample / 8);
      return { ...format, dataOffset: body, dataLength, durationSeconds: dataLength / bytesPerSecond };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
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

/**
 * Writes the clips one after the other into `outputPath`, holding one clip in memory at a time. All
 * clips must share one format. Returns the exact length of each clip in seconds: where slides change.
 */
export async function joinWavFiles(clipPaths: readonly string[], outputPath: string): Promise<number[]> {
  const output = await open(outputPath, 'w');
  try {
    let first: WavInfo | undefined;
    let position = 44;
    const durations: number[] = [];
    for (const path of clipPaths) {
      const clip = await readFile(path);
      const info = readWavInfo(clip);
      first ??= info;
      if (
        info.sampleRate !== first.sampleRate ||
        info.channels !== first.channels ||
        info.bitsPerSample !== first.bitsPerSample
      ) {
        throw new Error('speech clips differ in format and cannot be joined');
      }
      const data = clip.subarray(info.dataOffset, info.dataOffset + info.dataLength);
      await output.write(data, 0, data.length, position);
      position += data.length;
      durations.push(info.durationSeconds);
    }
    if (!first) throw new Error('no speech clips to join');
    await output.write(pcmHeader(first, position - 44), 0, 44, 0);
    return durations;
  } finally {
    await output.close();
  }
}
