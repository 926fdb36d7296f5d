/**
 * A real OpenAI-compatible chat-completions endpoint on 127.0.0.1 (node:http, a free port), as
 * llama.cpp's server, vLLM or Ollama would serve it: `POST /v1/chat/completions` answers
 * `choices[0].message.content`. How it answers is set per test (`answerWith`); every request is
 * recorded, with whether the client hung up before the answer was sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequestBody {
  model?: unknown;
  messages?: { role: string; content: string }[];
  max_tokens?: unknown;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: ChatRequestBody;
  /** The text the client asked to polish (the user message). */
  readonly narration: string;
  /** True once the client closed the connection before the answer was complete. */
  hungUp: boolean;
}

/** Answers one request; may leave it unanswered (the client's timeout or abort ends it). */
export type Answer = (request: SeenRequest, response: ServerResponse) => void;

export function completion(content: string, finishReason = 'stop'): string {
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model: 'test-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

/** Answers: the narration rewritten by `rewrite`. */
export const rewriteWith =
  (rewrite: (narration: string) => string): Answer =>
  (request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(completion(rewrite(request.narration)));
  };

export const statusAnswer =
  (status: number, body = '{"error":{"message":"boom"}}'): Answer =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(body);
  };

/** Answers `body` as it is, with its Content-Length. */
export const rawAnswer =
  (body: string): Answer =>
  (_request, response) => {
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  };

/** A valid completion padded past `bytes`, sent in chunks without a Content-Length. */
export const oversizedAnswer =
  (bytes: number): Answer =>
  (request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const body = completion(`${request.narration} ${'x'.repeat(bytes)}`);
    for (let at = 0; at < body.length; at += 16 * 1024) response.write(body.slice(at, at + 16 * 1024));
    response.end();
  };

/** Never answers: the request stays open until the client gives up. */
export const noAnswer: Answer = () => undefined;

export interface ChatCompletionsServer {
  /** LLM_BASE_URL for this server: `http://127.0.0.1:PORT/v1`. */
  readonly baseUrl: string;
  readonly requests: SeenRequest[];
  answerWith(answer: Answer): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startChatCompletionsServer(): Promise<ChatCompletionsServer> {
  let answer: Answer = statusAnswer(503);
  const requests: SeenRequest[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const text = await readBody(request);
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404).end();
        return;
      }
      let body: ChatRequestBody = {};
      try {
        body = JSON.parse(text) as ChatRequestBody;
      } catch {
        response.writeHead(400).end();
        return;
      }
      const seen: SeenRequest = {
        method: request.method,
        path: request.url,
        authorization: request.headers.authorization,
        body,
        narration: body.messages?.find((message) => message.role === 'user')?.content ?? '',
        hungUp: false,
      };
      requests.push(seen);
      response.on('close', () => {
        if (!response.writableFinished) seen.hungUp = true;
      });
      answer(seen, response);
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
