/**
 * Which engine speaks a job's narration, and what happens when the speech provider (TTS_BASE_URL)
 * fails. Without a provider eSpeak NG speaks. With one, the provider speaks every sentence; if any
 * sentence fails (error status, no connection, timeout, audio that is not WAV), the provider's other
 * requests are aborted and, by TTS_FALLBACK, either the whole narration is spoken again by eSpeak NG
 * (one voice for the whole video; the job's events say why) or the job fails with the provider's
 * error (TTS_PROVIDER_FAILED / TTS_PROVIDER_TIMEOUT). An abort of the job passes through unchanged.
 */
import type { TtsConfig } from '../../config.js';
import { isReelqueueError, type ReelqueueError } from '../../errors.js';
import type { JsonObject } from '../../jobs/model.js';
import type { SpeechEngine } from './engine.js';
import { OpenAiSpeechEngine } from './openai-speech.js';

/** The `speech` field of a job's result: which engine spoke, and why eSpeak NG did if it stood in. */
export type SpeechReport = JsonObject;

export const ESPEAK_SPEECH: SpeechReport = Object.freeze({ engine: 'espeak-ng' });

/** Speaks the whole narration with `engine` (undefined: eSpeak NG), stopping on `signal`. */
export type SpeakWith<T> = (engine: SpeechEngine | undefined, signal: AbortSignal) => Promise<T>;

/** The job's event when the provider failed and eSpeak NG speaks instead. */
export type FallbackListener = (message: string, data: JsonObject) => void;

export function isSpeechProviderError(error: unknown): error is ReelqueueError {
  return isReelqueueError(error, 'TTS_PROVIDER_FAILED') || isReelqueueError(error, 'TTS_PROVIDER_TIMEOUT');
}

export interface ProviderSpeechOptions {
  readonly endpoint: TtsConfig;
  /** The job's voice (an eSpeak voice name); the result names the provider's voice it maps to. */
  readonly voice: string;
  readonly signal: AbortSignal;
  readonly onFallback: FallbackListener;
  /** Defaults to the endpoint's OpenAI-compatible engine. */
  readonly engine?: SpeechEngine | undefined;
}

export async function speakThroughProvider<T>(
  options: ProviderSpeechOptions,
  speakWith: SpeakWith<T>,
): Promise<{ spoken: T; speech: SpeechReport }> {
  const { endpoint, signal } = options;
  signal.throwIfAborted();
  const engine = options.engine ?? new OpenAiSpeechEngine(endpoint);
  // Its own controller, so the first failed sentence stops the provider's other requests at once.
  const attempt = new AbortController();
  const onAbort = (): void => attempt.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const spoken = await speakWith(engine, attempt.signal);
    const voice = engine.voiceFor?.(options.voice) ?? options.voice;
    return { spoken, speech: { engine: 'provider', model: endpoint.model, voice } };
  } catch (error) {
    attempt.abort(error);
    signal.throwIfAborted();
    if (!isSpeechProviderError(error) || endpoint.fallback === 'fail') throw error;
    const reason = String(error.details?.reason ?? 'UNKNOWN');
    options.onFallback(
      `${error.message}: speaking the narration with eSpeak NG instead (TTS_FALLBACK=espeak)`,
      {
        code: error.code,
        reason,
        tts_fallback: 'espeak',
      },
    );
    const spoken = await speakWith(undefined, signal);
    return { spoken, speech: { engine: 'espeak-ng', fallback_from: 'provider', code: error.code, reason } };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
