/** The speech provider's settings (TTS_*): defaults, the voice map, and refusals that never show the key. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('speech provider settings', () => {
  it('leaves eSpeak NG speaking when TTS_BASE_URL is unset', () => {
    expect(loadConfig({}, {}).tts).toBeUndefined();
  });

  it('resolves an endpoint with its defaults: WAV, speed 1, 30 s per sentence, fall back to eSpeak NG', () => {
    expect(loadConfig({}, { TTS_BASE_URL: 'http://127.0.0.1:8880/v1/', TTS_MODEL: 'kokoro' }).tts).toEqual({
      baseUrl: 'http://127.0.0.1:8880/v1',
      apiKey: undefined,
      model: 'kokoro',
      voices: {},
      speed: 1,
      responseFormat: 'wav',
      timeoutSeconds: 30,
      maxResponseBytes: 32 * 1024 * 1024,
      fallback: 'espeak',
    });
  });

  it('reads TTS_VOICES as job voice = provider voice, with * for the other job voices', () => {
    const tts = loadConfig(
      {},
      {
        TTS_BASE_URL: 'https://api.openai.com/v1',
        TTS_MODEL: 'tts-1',
        TTS_VOICES: ' en-US=alloy, de = onyx ,*=nova',
      },
    ).tts!;
    expect(tts.voices).toEqual({ 'en-us': 'alloy', de: 'onyx', '*': 'nova' });
  });

  it.each([
    [{ TTS_BASE_URL: 'http://127.0.0.1:8880/v1' }, 'TTS_MODEL'],
    [{ TTS_MODEL: 'tts-1' }, 'TTS_MODEL'],
    [{ TTS_API_KEY: 'sk-secret-key' }, 'TTS_API_KEY'],
    [{ TTS_VOICES: 'en-us=alloy' }, 'TTS_VOICES'],
    [{ TTS_BASE_URL: 'localhost:8880', TTS_MODEL: 'm' }, 'TTS_BASE_URL'],
    [{ TTS_BASE_URL: 'https://user:sk-secret-key@host/v1', TTS_MODEL: 'm' }, 'TTS_BASE_URL'],
    [{ TTS_BASE_URL: 'http://h/v1', TTS_MODEL: 'm', TTS_VOICES: 'klingon=alloy' }, 'TTS_VOICES'],
    [{ TTS_BASE_URL: 'http://h/v1', TTS_MODEL: 'm', TTS_VOICES: 'en-us' }, 'TTS_VOICES'],
    [{ TTS_BASE_URL: 'http://h/v1', TTS_MODEL: 'm', TTS_FALLBACK: 'silence' }, 'TTS_FALLBACK'],
    [{ TTS_BASE_URL: 'http://h/v1', TTS_MODEL: 'm', TTS_RESPONSE_FORMAT: 'mp3' }, 'TTS_RESPONSE_FORMAT'],
    [{ TTS_BASE_URL: 'http://h/v1', TTS_MODEL: 'm', TTS_SPEED: '9' }, 'TTS_SPEED'],
    [{ TTS_BASE_URL: 'http://h/v1', TTS_MODEL: 'm', TTS_TIMEOUT_SECONDS: '0' }, 'TTS_TIMEOUT_SECONDS'],
  ])('refuses %o, naming %s', (settings, name) => {
    let thrown: unknown;
    try {
      loadConfig({}, settings);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((thrown as Error).message).toContain(name);
    expect(JSON.stringify(thrown)).not.toContain('sk-secret-key');
    expect((thrown as Error).message).not.toContain('sk-secret-key');
  });
});
