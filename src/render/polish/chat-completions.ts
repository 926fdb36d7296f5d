/**
 * One call to an OpenAI-compatible chat-completions endpoint (`POST {LLM_BASE_URL}/chat/completions`,
 * as llama.cpp's server, vLLM, Ollama and OpenAI serve it), answering `choices[0].message.content`.
 *
 * Bounded every way: the request is refused above MAX_REQUEST_BYTES, the answer is read only up to
 * LLM_MAX_RESPONSE_BYTES, the whole exchange (connecting, waiting, reading) stops at the timeout, and
 * the job's own signal (cancel, job timeout, lost lease) aborts it at once. Every failure of the
 * endpoint is a `PolishFailure` with a reason; an abort of the job is rethrown as the job's reason.
 */
import type { LlmConfig } from '../../config.js';
import { describeError } from '../../errors.js';
import { PolishFailure } from './polish-failure.js';

/** Largest request body: a slide's narration is at most 5,000 characters, well below this. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export interface ChatMessage {
  readonly role: 'system' | 'user';
  readonly content: string;
}

export interface ChatCompletionCall {
  readonly messages: readonly ChatMessage[];
  /** The answer's length limit in tokens (`max_tokens`). */
  readonly maxTokens: number;
  /** The job's signal: aborting it aborts the call and rethrows its reason. */
  readonly signal: AbortSignal;
  /** This call's time limit (at most the endpoint's timeout). */
  readonly timeoutMs: number;
}

type Endpoint = Pick<LlmConfig, 'baseUrl' | 'apiKey' | 'model' | 'maxResponseBytes'>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The code of a network error under fetch's `TypeError: fetch failed` (ECONNREFUSED, ENOTFOUND, …). */
function networkCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  return isRecord(cause) && typeof cause.code === 'string' ? cause.code : undefined;
}

async function readCapped(response: Response, cap: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel();
    throw new PolishFailure('RESPONSE_TOO_LARGE', `the answer is ${declared} bytes; the limit is ${cap}`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw new PolishFailure('RESPONSE_TOO_LARGE', `the answer is over ${cap} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answerOf(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new PolishFailure('MALFORMED_RESPONSE', 'the answer is not JSON');
  }
  const choice = isRecord(parsed) && Array.isArray(parsed.choices) ? parsed.choices[0] : undefined;
  const content = isRecord(choice) && isRecord(choice.message) ? choice.message.content : undefined;
  if (typeof content !== 'string') {
    throw new PolishFailure('MALFORMED_RESPONSE', 'the answer has no choices[0].message.content string');
  }
  if (isRecord(choice) && choice.finish_reason === 'length') {
    throw new PolishFailure('ANSWER_TRUNCATED', 'the model stopped at its token limit');
  }
  return content;
}

async function exchange(endpoint: Endpoint, call: ChatCompletionCall, signal: AbortSignal): Promise<string> {
  const body = JSON.stringify({
    model: endpoint.model,
    messages: call.messages,
    max_tokens: call.maxTokens,
    temperature: 0.2,
    stream: false,
  });
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_REQUEST_BYTES) {
    throw new PolishFailure(
      'REQUEST_TOO_LARGE',
      `the request is ${bytes} bytes; the limit is ${MAX_REQUEST_BYTES}`,
    );
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (endpoint.apiKey !== undefined) headers.authorization = `Bearer ${endpoint.apiKey}`;
  const response = await fetch(`${endpoint.baseUrl}/chat/completions`, {
    method: 'POST',
    headers,
    body,
    signal,
    redirect: 'error',
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new PolishFailure('HTTP_STATUS', `the server answered ${response.status}`);
  }
  return answerOf(await readCapped(response, endpoint.maxResponseBytes));
}

/** The answer's text; a `PolishFailure` when the endpoint fails, the job's reason when it is aborted. */
export async function chatCompletion(endpoint: Endpoint, call: ChatCompletionCall): Promise<string> {
  call.signal.throwIfAborted();
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(call.timeoutMs)));
  const signal = AbortSignal.any([call.signal, timeout]);
  try {
    return await exchange(endpoint, call, signal);
  } catch (error) {
    if (call.signal.aborted) throw call.signal.reason;
    if (error instanceof PolishFailure) throw error;
    if (timeout.aborted) {
      throw new PolishFailure('TIMEOUT', `no answer within ${(call.timeoutMs / 1000).toFixed(1)} s`);
    }
    const code = networkCode(error);
    if (code !== undefined || (error instanceof TypeError && error.message === 'fetch failed')) {
      // Not the address itself: job events reach the job's owner, who need not know the LLM's host.
      throw new PolishFailure(
        'UNREACHABLE',
        `no connection to the LLM endpoint (${code ?? 'fetch failed'})`,
        {
          cause: error,
        },
      );
    }
    // A body cut off mid-answer, or anything else fetch raises: the endpoint failed, not the job.
    throw new PolishFailure('MALFORMED_RESPONSE', `the answer could not be read (${describeError(error)})`, {
      cause: error,
    });
  }
}
