/** Speech with the real eSpeak NG (WebAssembly, in a worker thread) and its cache. */
import { readdir, readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EspeakWasmEngine } from '../../src/render/tts/espeak-wasm.js';
import { createSpeechSynthesizer, type SpeechSynthesizer } from '../../src/render/tts/synthesize.js';
import { SUPPORTED_VOICES } from '../../src/render/tts/voices.js';
import { joinWavFiles, readWavInfo } from '../../src/render/tts/wav.js';
import { makeTempDir } from './support.js';

let dir: Awaited<ReturnType<typeof makeTempDir>>;
let synthesizer: SpeechSynthesizer;

beforeAll(async () => {
  dir = await makeTempDir('rq-speech-');
});

afterEach(async () => {
  await synthesizer?.close();
});

afterAll(async () => {
  await dir.remove();
});

describe('synthesize', () => {
  it('speaks text into a WAV file whose duration it reports', async () => {
    synthesizer = createSpeechSynthesizer({ cacheDir: `${dir.path}/cache-a` });
    const clip = await synthesizer.synthesize('Plants make sugar from light.', 'en-us');
    const info = readWavInfo(await readFile(clip.wavPath));
    expect(info).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(clip.durationSeconds).toBe(info.durationSeconds);
    expect(clip.durationSeconds).toBeGreaterThan(1);
    expect(clip.durationSeconds).toBeLessThan(5);
    expect(clip.cached).toBe(false);
  });

  it('answers a second request for the same text and voice from the cache', async () => {
    synthesizer = createSpeechSynthesizer({ cacheDir: `${dir.path}/cache-b` });
    const first = await synthesizer.synthesize('Cached words.', 'en');
    const second = await synthesizer.synthesize('Cached words.', 'en');
    const otherVoice = await synthesizer.synthesize('Cached words.', 'en-us');
    expect(second).toEqual({ ...first, cached: true });
    expect(otherVoice.cached).toBe(false);
    expect(otherVoice.wavPath).not.toBe(first.wavPath);
    expect((await readdir(`${dir.path}/cache-b`)).sort()).toEqual(
      [first.wavPath, otherVoice.wavPath].map((path) => path.split('/').pop()).sort(),
    );
  });

  it('speaks every supported voice', async () => {
    synthesizer = createSpeechSynthesizer({ cacheDir: `${dir.path}/cache-c` });
    for (const voice of SUPPORTED_VOICES) {
      expect((await synthesizer.synthesize('One two three.', voice)).durationSeconds, voice).toBeGreaterThan(
        0.5,
      );
    }
  });

  it('speaks text that looks like options or markup instead of obeying it', async () => {
    synthesizer = createSpeechSynthesizer({ cacheDir: `${dir.path}/cache-d` });
    for (const text of ['-v xx', '--help', '-w /tmp/x.wav', '<speak>hi</speak>', "$(id) `id` '; \\ %s"]) {
      expect((await synthesizer.synthesize(text, 'en-us')).durationSeconds, text).toBeGreaterThan(0.2);
    }
  });

  it('rejects with the signal’s reason when aborted mid-sentence, and works again afterwards', async () => {
    synthesizer = createSpeechSynthesizer({ cacheDir: `${dir.path}/cache-e` });
    const controller = new AbortController();
    const reason = new Error('stop');
    const speaking = synthesizer.synthesize('A long text to speak. '.repeat(400), 'en-us', {
      signal: controller.signal,
    });
    controller.abort(reason);
    await expect(speaking).rejects.toBe(reason);
    expect(await readdir(`${dir.path}/cache-e`).catch(() => [])).toEqual([]);
    expect((await synthesizer.synthesize('Still here.', 'en-us')).durationSeconds).toBeGreaterThan(0.5);
  });

  it('reports an engine error for a voice eSpeak does not have', async () => {
    const engine = new EspeakWasmEngine();
    try {
      await expect(engine.synthesizeWav('Hello.', 'xx-nonexistent')).rejects.toThrow(/voice does not exist/);
      expect((await engine.synthesizeWav('Hello.', 'en')).length).toBeGreaterThan(1000);
    } finally {
      await engine.close();
    }
  });
});

describe('joinWavFiles', () => {
  it('joins clips exactly, returning each one’s duration', async () => {
    synthesizer = createSpeechSynthesizer({ cacheDir: `${dir.path}/cache-f` });
    const a = await synthesizer.synthesize('First.', 'en');
    const b = await synthesizer.synthesize('And second.', 'en');
    const joined = `${dir.path}/joined.wav`;
    expect(await joinWavFiles([a.wavPath, b.wavPath], joined)).toEqual([
      a.durationSeconds,
      b.durationSeconds,
    ]);
    const info = readWavInfo(await readFile(joined));
    expect(info.durationSeconds).toBeCloseTo(a.durationSeconds + b.durationSeconds, 9);
  });
});
