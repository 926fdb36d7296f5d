/**
 * Real renders spoken by a real OpenAI-compatible speech server (test/support/speech-server.ts: a
 * node:http server synthesising with the bundled eSpeak NG, as a local Piper or Kokoro server would):
 * every sentence is one request, the captions are timed from the audio each request returned, and a
 * provider that fails (500, a hang past TTS_TIMEOUT_SECONDS, audio that is not WAV) either hands the
 * narration to eSpeak NG or fails the render, by TTS_FALLBACK. The job's signal hangs up on the server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type SettingsInput, type TtsConfig } from '../../src/config.js';
import { isReelqueueError } from '../../src/errors.js';
import type { JsonObject } from '../../src/jobs/model.js';
import { parsePresentationRequest } from '../../src/render/lesson/payload.js';
import { renderPresentation, type RenderedPresentation } from '../../src/render/pipeline.js';
import { videoSequence } from '../../src/render/sequence.js';
import { OpenAiSpeechEngine } from '../../src/render/tts/openai-speech.js';
import { readWavInfo, soundBounds } from '../../src/render/tts/wav.js';
import { freePort } from '../support/free-port.js';
import {
  garbageAnswer,
  LEAD_SILENCE_SECONDS,
  noAnswer,
  spokenAnswer,
  startSpeechServer,
  statusAnswer,
  streamedWavAnswer,
  type SpeechServer,
} from '../support/speech-server.js';
import { waitFor } from '../support/wait.js';
import { makeTempDir } from './support.js';

const API_KEY = 'sk-test-never-shown-0123456789';

/** A lesson whose sentences each fit one caption cue; `topic` keeps each test's speech its own. */
const payloadAbout = (topic: string) => ({
  lesson: {
    title: `About ${topic}`,
    slides: [
      { title: 'First', narration: `The first fact about ${topic}. It is short.` },
      { title: 'Second', narration: `The second fact about ${topic}.` },
    ],
  },
  resolution: '320x180',
  captions: 'soft',
});

let server: SpeechServer;
const dirs: Awaited<ReturnType<typeof makeTempDir>>[] = [];

beforeAll(async () => {
  server = await startSpeechServer();
});

afterEach(() => {
  server.answerWith(spokenAnswer);
});

afterAll(async () => {
  await server.close();
  await Promise.all(dirs.map((dir) => dir.remove()));
});

function provider(settings: SettingsInput = {}): TtsConfig {
  return loadConfig(
    {},
    {
      TTS_BASE_URL: server.baseUrl,
      TTS_MODEL: 'test-tts',
      TTS_API_KEY: API_KEY,
      TTS_VOICES: 'en-us=en-gb',
      ...settings,
    },
  ).tts!;
}

interface Reported {
  readonly message: string;
  readonly data: JsonObject | undefined;
}

async function render(
  topic: string,
  speechProvider: TtsConfig,
  options: { signal?: AbortSignal; cacheDir?: string } = {},
): Promise<{ rendered: RenderedPresentation; reports: Reported[] }> {
  const reports: Reported[] = [];
  const work = await makeTempDir('rq-speech-provider-');
  dirs.push(work);
  const rendered = await renderPresentation({
    payload: payloadAbout(topic),
    workDir: work.path,
    ttsCacheDir: options.cacheDir ?? `${work.path}/tts-cache`,
    speechProvider,
    signal: options.signal,
    onProgress: (_stage, _percent, message, data) => {
      reports.push({ message, data });
    },
  });
  return { rendered, reports };
}

async function renderFailure(
  topic: string,
  speechProvider: TtsConfig,
  reports: Reported[] = [],
): Promise<unknown> {
  const work = await makeTempDir('rq-speech-provider-');
  dirs.push(work);
  return renderPresentation({
    payload: payloadAbout(topic),
    workDir: work.path,
    ttsCacheDir: `${work.path}/tts-cache`,
    speechProvider,
    onProgress: (_stage, _percent, message, data) => {
      reports.push({ message, data });
    },
  }).then(
    () => {
      throw new Error('the render succeeded');
    },
    (error: unknown) => error,
  );
}

/** Nothing a job's owner reads names the provider's key or address. */
function expectNoSecrets(...texts: unknown[]): void {
  const all = JSON.stringify(texts);
  expect(all).not.toContain(API_KEY);
  expect(all).not.toContain(server.baseUrl.replace('/v1', ''));
}

describe('a speech provider (TTS_BASE_URL)', () => {
  it('speaks each sentence with one request and times the captions from the audio each returned', async () => {
    const before = server.requests.length;
    const { rendered, reports } = await render('tides', provider());
    const asked = server.requests.slice(before);
    const sentences = videoSequence(parsePresentationRequest(payloadAbout('tides'))).flatMap((item) =>
      item.kind === 'closing' ? [] : item.sentences,
    );
    expect(asked.map((request) => request.body.input).sort()).toEqual([...sentences].sort());
    for (const request of asked) {
      expect(request.body).toEqual({
        model: 'test-tts',
        input: request.body.input,
        voice: 'en-gb', // the job's en-us, mapped by TTS_VOICES
        response_format: 'wav',
        speed: 1,
      });
      expect(request.authorization).toBe(`Bearer ${API_KEY}`);
    }
    expect(rendered.speech).toEqual({ engine: 'provider', model: 'test-tts', voice: 'en-gb' });
    expect(rendered.voice).toBe('en-us');

    // Where each sentence sits, worked out from the clips the server sent, in the order spoken.
    const audioOf = (text: string): Uint8Array =>
      asked.find((request) => request.body.input === text)!.audio!;
    let offset = 0;
    const expected = sentences.map((text) => {
      const audio = audioOf(text);
      const sound = soundBounds(audio);
      const placed = { text, start: offset + sound.startSeconds, end: offset + sound.endSeconds };
      offset += readWavInfo(audio).durationSeconds;
      return placed;
    });
    expect(rendered.captionCues.map((cue) => cue.lines.join(' '))).toEqual(sentences);
    rendered.captionCues.forEach((cue, index) => {
      expect(cue.startSeconds).toBeCloseTo(expected[index]!.start, 3);
      expect(cue.endSeconds).toBeGreaterThanOrEqual(expected[index]!.end - 0.001);
    });
    // The server's lead silence is in the timings: eSpeak NG on its own starts speaking far earlier.
    expect(rendered.captionCues[0]!.startSeconds).toBeGreaterThan(LEAD_SILENCE_SECONDS);
    expect(rendered.durationSeconds).toBeGreaterThan(offset);
    expectNoSecrets(reports);
  });

  it('answers a second render of the same lesson from the speech cache, asking nothing', async () => {
    const cache = await makeTempDir('rq-speech-provider-cache-');
    dirs.push(cache);
    await render('moons', provider(), { cacheDir: cache.path });
    const before = server.requests.length;
    const { rendered } = await render('moons', provider(), { cacheDir: cache.path });
    expect(server.requests.length).toBe(before);
    expect(rendered.speech).toMatchObject({ engine: 'provider' });
  });

  it('asks for raw PCM with TTS_RESPONSE_FORMAT=pcm and renders it', async () => {
    const before = server.requests.length;
    // The server's eSpeak NG speaks at 22,050 Hz, OpenAI's pcm at 24 kHz: only the timing scales.
    const { rendered } = await render('pebbles', provider({ TTS_RESPONSE_FORMAT: 'pcm' }));
    const asked = server.requests.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((request) => request.body.response_format === 'pcm')).toBe(true);
    expect(rendered.speech).toMatchObject({ engine: 'provider' });
    expect(rendered.captionCues.length).toBeGreaterThan(0);
  });
});

describe('a speech provider that fails', () => {
  it('hands the whole narration to eSpeak NG when it answers 500 (TTS_FALLBACK=espeak), and says so', async () => {
    server.answerWith(statusAnswer(500));
    const { rendered, reports } = await render('storms', provider());
    expect(rendered.speech).toEqual({
      engine: 'espeak-ng',
      fallback_from: 'provider',
      code: 'TTS_PROVIDER_FAILED',
      reason: 'HTTP_STATUS',
    });
    const fallback = reports.filter((report) => report.data?.code === 'TTS_PROVIDER_FAILED');
    expect(fallback).toEqual([
      {
        message:
          'The speech provider answered HTTP 500: speaking the narration with eSpeak NG instead (TTS_FALLBACK=espeak)',
        data: { code: 'TTS_PROVIDER_FAILED', reason: 'HTTP_STATUS', tts_fallback: 'espeak' },
      },
    ]);
    // eSpeak NG's own timing: no lead silence from the server.
    expect(rendered.captionCues[0]!.startSeconds).toBeLessThan(LEAD_SILENCE_SECONDS);
    expectNoSecrets(reports, rendered.speech);
  });

  it('fails the render with TTS_PROVIDER_FAILED when the audio is not WAV (TTS_FALLBACK=fail)', async () => {
    server.answerWith(garbageAnswer);
    const reports: Reported[] = [];
    const error = await renderFailure('dunes', provider({ TTS_FALLBACK: 'fail' }), reports);
    expect(isReelqueueError(error, 'TTS_PROVIDER_FAILED')).toBe(true);
    expect(isReelqueueError(error) && error.details).toEqual({ reason: 'BAD_AUDIO' });
    expect((error as Error).message).toMatch(/^The speech provider's answer is not PCM WAV audio/);
    expectNoSecrets((error as Error).message, reports);
  });

  it('fails with TTS_PROVIDER_TIMEOUT when it hangs past TTS_TIMEOUT_SECONDS, hanging up on it', async () => {
    server.answerWith(noAnswer);
    const before = server.requests.length;
    const error = await renderFailure('lakes', provider({ TTS_FALLBACK: 'fail', TTS_TIMEOUT_SECONDS: 0.5 }));
    expect(isReelqueueError(error, 'TTS_PROVIDER_TIMEOUT')).toBe(true);
    expect((error as Error).message).toBe(
      'The speech provider gave no audio within 0.5 s (TTS_TIMEOUT_SECONDS)',
    );
    const asked = server.requests.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    await waitFor(() => asked.every((request) => request.hungUp), { what: 'the render to hang up' });
  });

  it('stands in with eSpeak NG after a timeout too (TTS_FALLBACK=espeak)', async () => {
    server.answerWith(noAnswer);
    const { rendered, reports } = await render('reefs', provider({ TTS_TIMEOUT_SECONDS: 0.5 }));
    expect(rendered.speech).toMatchObject({
      engine: 'espeak-ng',
      code: 'TTS_PROVIDER_TIMEOUT',
      reason: 'TIMEOUT',
    });
    expect(reports.some((report) => report.data?.code === 'TTS_PROVIDER_TIMEOUT')).toBe(true);
  });

  it('hangs up on every request in flight when the job is cancelled, and rejects with its reason', async () => {
    server.answerWith(noAnswer);
    const before = server.requests.length;
    const controller = new AbortController();
    const reason = new Error('cancelled by its owner');
    const work = await makeTempDir('rq-speech-provider-');
    dirs.push(work);
    const rendering = renderPresentation({
      payload: payloadAbout('canyons'),
      workDir: work.path,
      ttsCacheDir: `${work.path}/tts-cache`,
      // A timeout far past the test's: only the cancel can end these requests.
      speechProvider: provider({ TTS_TIMEOUT_SECONDS: 600 }),
      signal: controller.signal,
    });
    await waitFor(() => server.requests.length - before >= 4, {
      timeoutMs: 60_000,
      what: 'requests in flight',
    });
    controller.abort(reason);
    await expect(rendering).rejects.toBe(reason);
    const asked = server.requests.slice(before);
    await waitFor(() => asked.every((request) => request.hungUp), { what: 'the render to hang up' });
  });
});

describe('the provider engine alone', () => {
  const failureOf = (speaking: Promise<unknown>): Promise<unknown> =>
    speaking.then(
      () => {
        throw new Error('the speech succeeded');
      },
      (error: unknown) => error,
    );

  it('reads a streamed WAV whose header gives no data size as running to the end', async () => {
    server.answerWith(streamedWavAnswer);
    const wav = await new OpenAiSpeechEngine(provider()).synthesizeWav('Streams flow downhill.', 'en-us');
    const sent = server.requests.at(-1)!.audio!;
    expect(readWavInfo(wav).durationSeconds).toBeCloseTo(readWavInfo(sent).durationSeconds, 6);
    expect(readWavInfo(wav).durationSeconds).toBeGreaterThan(LEAD_SILENCE_SECONDS);
  });

  it('refuses audio larger than TTS_MAX_RESPONSE_BYTES', async () => {
    const error = await failureOf(
      new OpenAiSpeechEngine(provider({ TTS_MAX_RESPONSE_BYTES: 2048 })).synthesizeWav(
        'A sentence far longer than two kilobytes of audio.',
        'en-us',
      ),
    );
    expect(isReelqueueError(error, 'TTS_PROVIDER_FAILED') && error.details).toEqual({
      reason: 'RESPONSE_TOO_LARGE',
    });
  });

  it('says no connection, without the address, when nothing listens at TTS_BASE_URL', async () => {
    const port = await freePort();
    const endpoint = { ...provider(), baseUrl: `http://127.0.0.1:${port}/v1` };
    const error = await failureOf(new OpenAiSpeechEngine(endpoint).synthesizeWav('Hello.', 'en-us'));
    expect(isReelqueueError(error, 'TTS_PROVIDER_FAILED') && error.details).toEqual({
      reason: 'UNREACHABLE',
    });
    expect((error as Error).message).toBe('No connection to the speech provider (ECONNREFUSED)');
  });
});
