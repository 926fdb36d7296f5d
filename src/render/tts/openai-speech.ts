/**
 * A speech engine that asks an OpenAI-compatible speech endpoint (`POST {TTS_BASE_URL}/audio/speech`,
 * as OpenAI, Kokoro-FastAPI, openedai-speech and LocalAI serve it) for one sentence at a time, and
 * answers its audio as a PCM WAV file (the caption timings are measured from it, like eSpeak's).
 *
 * Bounded every way: the answer is read only up to TTS_MAX_RESPONSE_BYTES, each request stops at
 * TTS_TIMEOUT_SECONDS, and the job's signal (cancel, job timeout, lost lease) aborts it at once,
 * closing the connection. A failure of the endpoint is a `TTS_PROVIDER_FAILED` or
 * `TTS_PROVIDER_TIMEOUT` error whose message names neither the endpoint's address nor its key (job
 * events and errors reach the job's owner); an abort of the job is rethrown as the job's reason.
 */
import { createHash } from 'node:crypto';
import type { TtsConfig } from '../../config.js';
import { describeError, ReelqueueError } from '../../errors.js';
import type { SpeechEngine } from './engine.js';
import { readWavInfo, wavFromPcm } from './wav.js';

/** What went wrong with the endpoint, in the error's `details.reason`. */
export type SpeechProviderFailure =
  'TIMEOUT' | 'UNREACHABLE' | 'HTTP_STATUS' | 'RESPONSE_TOO_LARGE' | 'BAD_AUDIO' | 'EMPTY_AUDIO';

/** OpenAI's `pcm` format: headerless signed 16-bit little-endian mono samples at 24 kHz. */
const PCM_FORMAT = { sampleRate: 24_000, channels: 1, bitsPerSample: 16 } as const;

function providerError(reason: SpeechProviderFailure, message: string, cause?: unknown): ReelqueueError {
  return new ReelqueueError(
    reason === 'TIMEOUT' ? 'TTS_PROVIDER_TIMEOUT' : 'TTS_PROVIDER_FAILED',
    message,
    { reason },
    cause === undefined ? undefined : { cause },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The code of a network error under fetch's `TypeError: fetch failed` (ECONNREFUSED, ENOTFOUND, …). */
function networkCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  return isRecord(cause) && typeof cause.code === 'string' ? cause.code : undefined;
}

async function readCapped(response: Response, cap: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel();
    throw providerError(
      'RESPONSE_TOO_LARGE',
      `The speech provider's audio is ${declared} bytes; the limit is ${cap}`,
    );
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw providerError('RESPONSE_TOO_LARGE', `The speech provider's audio is over ${cap} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The answer as a PCM WAV file with some sound in it, or a `BAD_AUDIO` / `EMPTY_AUDIO` error. */
function wavOf(body: Buffer, format: TtsConfig['responseFormat']): Uint8Array {
  if (format === 'pcm') {
    if (body.byteLength < 2) throw providerError('EMPTY_AUDIO', 'The speech provider answered no audio');
    return wavFromPcm(body.subarray(0, body.byteLength - (body.byteLength % 2)), PCM_FORMAT);
  }
  let durationSeconds: number;
  try {
    durationSeconds = readWavInfo(body).durationSeconds;
  } catch (error) {
    throw providerError(
      'BAD_AUDIO',
      `The speech provider's answer is not PCM WAV audio (${describeError(error)})`,
      error,
    );
  }
  if (!(durationSeconds > 0)) throw providerError('EMPTY_AUDIO', 'The speech provider answered no audio');
  return body;
}

export class OpenAiSpeechEngine implements SpeechEngine {
  /** Part of the speech cache key: another endpoint, model, speed or format speaks anew. */
  readonly id: string;
  readonly #endpoint: TtsConfig;

  constructor(endpoint: TtsConfig) {
    this.#endpoint = endpoint;
    // Hashed, so the endpoint's address is in no file name; the key is not part of it.
    const where = createHash('sha256')
      .update(JSON.stringify([endpoint.baseUrl, endpoint.model, endpoint.speed, endpoint.responseFormat]))
      .digest('hex')
      .slice(0, 16);
    this.id = `openai-speech/${where}`;
  }

  /** The provider's voice for a job's voice: TTS_VOICES's entry, its `*`, or the voice as it is. */
  voiceFor(voice: string): string {
    const voices = this.#endpoint.voices;
    return voices[voice] ?? voices['*'] ?? voice;
  }

  async synthesizeWav(
    text: string,
    voice: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    const jobSignal = options.signal ?? new AbortController().signal;
    jobSignal.throwIfAborted();
    const timeoutMs = Math.max(1, Math.round(this.#endpoint.timeoutSeconds * 1000));
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([jobSignal, timeout]);
    try {
      return await this.#exchange(text, voice, signal);
    } catch (error) {
      if (jobSignal.aborted) throw jobSignal.reason;
      if (timeout.aborted) {
        throw providerError(
          'TIMEOUT',
          `The speech provider gave no audio within ${this.#endpoint.timeoutSeconds} s (TTS_TIMEOUT_SECONDS)`,
        );
      }
      if (error instanceof ReelqueueError) throw error;
      const code = networkCode(error);
      if (code !== undefined || (error instanceof TypeError && error.message === 'fetch failed')) {
        // Not the address itself: job events reach the job's owner, who need not know the provider's host.
        throw providerError(
          'UNREACHABLE',
          `No connection to the speech provider (${code ?? 'fetch failed'})`,
          error,
        );
      }
      // A body cut off mid-answer, or anything else fetch raises: the endpoint failed, not the job.
      throw providerError(
        'BAD_AUDIO',
        `The speech provider's answer could not be read (${describeError(error)})`,
        error,
      );
    }
  }

  async #exchange(text: string, voice: string, signal: AbortSignal): Promise<Uint8Array> {
    const endpoint = this.#endpoint;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (endpoint.apiKey !== undefined) headers.authorization = `Bearer ${endpoint.apiKey}`;
    const response = await fetch(`${endpoint.baseUrl}/audio/speech`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        model: endpoint.model,
        input: text,
        voice,
        response_format: endpoint.responseFormat,
        speed: endpoint.speed,
      }),
      signal,
      redirect: 'error',
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw providerError('HTTP_STATUS', `The speech provider answered HTTP ${response.status}`);
    }
    return wavOf(await readCapped(response, endpoint.maxResponseBytes), endpoint.responseFormat);
  }

  /** Nothing to stop: each request ends with its answer, its timeout or the job's signal. */
  async close(): Promise<void> {}
}
