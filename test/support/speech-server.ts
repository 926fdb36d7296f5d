/**
 * A real OpenAI-compatible speech endpoint on 127.0.0.1 (node:http, a free port), as a local Piper,
 * Kokoro-FastAPI or openedai-speech server would serve it: `POST /v1/audio/speech` with
 * `{model, input, voice, response_format, speed}` answers the spoken `input` as WAV (or raw PCM),
 * synthesised by the real eSpeak NG the project bundles, `voice` being an eSpeak voice name. Each
 * clip starts with LEAD_SILENCE_SECONDS of silence, so timings measured from its audio differ from
 * timings of eSpeak NG run directly. How it answers is set per test (`answerWith`); every request
 * is recorded with the audio sent and whether the client hung up before the answer was complete.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EspeakWasmEngine } from '../../src/render/tts/espeak-wasm.js';
import { readWavInfo, wavFromPcm } from '../../src/render/tts/wav.js';

/** Silence the server puts before every clip's speech. */
export const LEAD_SILENCE_SECONDS = 0.6;

export interface SpeechRequestBody {
  model?: unknown;
  input?: unknown;
  voice?: unknown;
  response_format?: unknown;
  speed?: unknown;
}

export interface SeenSpeechRequest {
  readonly authorization: string | undefined;
  readonly body: SpeechRequestBody;
  /** The WAV file answered (whatever the response format), once sent. */
  audio: Uint8Array | undefined;
  /** True once the client closed the connection before the answer was complete. */
  hungUp: boolean;
}

/** Answers one request; may leave it unanswered (the client's timeout or abort ends it). */
export type SpeechAnswer = (
  request: SeenSpeechRequest,
  response: ServerResponse,
  speak: () => Promise<Uint8Array>,
) => void | Promise<void>;

/** Speaks `input` with eSpeak NG, in the response format asked for (`wav` or `pcm`). */
export const spokenAnswer: SpeechAnswer = async (request, response, speak) => {
  const wav = await speak();
  request.audio = wav;
  if (request.body.response_format === 'pcm') {
    const info = readWavInfo(wav);
    response.writeHead(200, { 'content-type': 'audio/pcm' });
    response.end(wav.subarray(info.dataOffset, info.dataOffset + info.dataLength));
    return;
  }
  response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.byteLength });
  response.end(wav);
};

export const statusAnswer =
  (status: number): SpeechAnswer =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end('{"error":{"message":"the speech server broke"}}');
  };

/** 200 with a body that is not audio at all. */
export const garbageAnswer: SpeechAnswer = (_request, response) => {
  response.writeHead(200, { 'content-type': 'audio/wav' });
  response.end('<html>definitely not a wave file</html>');
};

/** The spoken WAV as a streaming server sends it: the header's data size is 0, the samples follow. */
export const streamedWavAnswer: SpeechAnswer = async (request, response, speak) => {
  const wav = Buffer.from(await speak());
  request.audio = wav;
  const info = readWavInfo(wav);
  wav.writeUInt32LE(0, info.dataOffset - 4);
  wav.writeUInt32LE(0, 4);
  response.writeHead(200, { 'content-type': 'audio/wav' });
  response.end(wav);
};

/** Never answers: the request stays open until the client gives up. */
export const noAnswer: SpeechAnswer = () => undefined;

export interface SpeechServer {
  /** TTS_BASE_URL for this server: `http://127.0.0.1:PORT/v1`. */
  readonly baseUrl: string;
  readonly requests: SeenSpeechRequest[];
  answerWith(answer: SpeechAnswer): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `wav` with LEAD_SILENCE_SECONDS of silence before its samples. */
function withLeadSilence(wav: Uint8Array): Uint8Array {
  const info = readWavInfo(wav);
  const blockAlign = info.channels * (info.bitsPerSample / 8);
  const silence = Buffer.alloc(Math.round(LEAD_SILENCE_SECONDS * info.sampleRate) * blockAlign);
  const samples = wav.subarray(info.dataOffset, info.dataOffset + info.dataLength);
  return wavFromPcm(Buffer.concat([silence, samples]), info);
}

export async function startSpeechServer(): Promise<SpeechServer> {
  const engine = new EspeakWasmEngine();
  let answer: SpeechAnswer = spokenAnswer;
  const requests: SeenSpeechRequest[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const text = await readBody(request);
      if (request.method !== 'POST' || request.url !== '/v1/audio/speech') {
        response.writeHead(404).end();
        return;
      }
      let body: SpeechRequestBody;
      try {
        body = JSON.parse(text) as SpeechRequestBody;
      } catch {
        response.writeHead(400).end();
        return;
      }
      const seen: SeenSpeechRequest = {
        authorization: request.headers.authorization,
        body,
        audio: undefined,
        hungUp: false,
      };
      requests.push(seen);
      response.on('close', () => {
        if (!response.writableFinished) seen.hungUp = true;
      });
      const speak = async () =>
        withLeadSilence(await engine.synthesizeWav(String(body.input), String(body.voice)));
      try {
        await answer(seen, response, speak);
      } catch {
        if (!response.headersSent) response.writeHead(500);
        response.end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    answerWith(next) {
      answer = next;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await engine.close();
    },
  };
}
