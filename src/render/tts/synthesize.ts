/**
 * `synthesize(text, voice)` → a WAV file and its duration, cached by
 * sha256(engine id, voice, text) in a folder, so a retried job does not redo its speech.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SpeechEngine } from './engine.js';
import { EspeakWasmEngine } from './espeak-wasm.js';
import { readWavInfo, soundBounds } from './wav.js';

export interface SpeechClip {
  readonly wavPath: string;
  readonly durationSeconds: number;
  /** Where the speech in the clip starts and ends (the rest is silence), in seconds from its start. */
  readonly soundStartSeconds: number;
  readonly soundEndSeconds: number;
  /** True when the clip came from the cache. */
  readonly cached: boolean;
}

export interface SpeechSynthesizer {
  synthesize(text: string, voice: string, options?: { signal?: AbortSignal }): Promise<SpeechClip>;
  /** Stops the engine's helper thread; call when the job is done. */
  close(): Promise<void>;
}

export interface SpeechSynthesizerOptions {
  /** Where clips are kept between attempts and jobs; created if missing. */
  readonly cacheDir: string;
  /** Defaults to eSpeak NG in WebAssembly. */
  readonly engine?: SpeechEngine;
}

export function speechCacheKey(engineId: string, voice: string, text: string): string {
  return createHash('sha256')
    .update(JSON.stringify([engineId, voice, text]))
    .digest('hex');
}

async function readCachedClip(path: string): Promise<SpeechClip | undefined> {
  try {
    const wav = await readFile(path);
    const { durationSeconds } = readWavInfo(wav);
    const sound = soundBounds(wav);
    // Touched on use, so that whoever prunes the cache by age keeps the clips still in use.
    const now = new Date();
    await utimes(path, now, now);
    return {
      wavPath: path,
      durationSeconds,
      soundStartSeconds: sound.startSeconds,
      soundEndSeconds: sound.endSeconds,
      cached: true,
    };
  } catch {
    return undefined;
  }
}

export function createSpeechSynthesizer(options: SpeechSynthesizerOptions): SpeechSynthesizer {
  const engine: SpeechEngine = options.engine ?? new EspeakWasmEngine();
  return {
    async synthesize(text, jobVoice, { signal } = {}) {
      const voice = engine.voiceFor?.(jobVoice) ?? jobVoice;
      const wavPath = join(options.cacheDir, `${speechCacheKey(engine.id, voice, text)}.wav`);
      const cached = await readCachedClip(wavPath);
      if (cached) return cached;
      const wav = await engine.synthesizeWav(text, voice, { signal });
      const { durationSeconds } = readWavInfo(wav);
      const sound = soundBounds(wav);
      // Written under a unique name and renamed, so a reader never sees half a clip.
      await mkdir(options.cacheDir, { recursive: true });
      const partial = `${wavPath}.${randomUUID()}.partial`;
      try {
        await writeFile(partial, wav);
        await rename(partial, wavPath);
      } finally {
        await rm(partial, { force: true });
      }
      return {
        wavPath,
        durationSeconds,
        soundStartSeconds: sound.startSeconds,
        soundEndSeconds: sound.endSeconds,
        cached: false,
      };
    },
    close: () => engine.close(),
  };
}
