/**
 * One HTTP attempt of a webhook: POST the body, wait for the status at most `timeoutMs` (and never
 * past the job's AbortSignal), follow no redirect. Never throws: the outcome says what happened.
 */

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface WebhookAttempt {
  /** The receiver's status, or null when none came. */
  statusCode: number | null;
  /** Null when the receiver answered 2xx. */
  error: string | null;
  durationMs: number;
}

function describeFailure(error: unknown, timedOut: boolean, signal: AbortSignal): string {
  if (signal.aborted) return 'the delivery was stopped (the job was cancelled, timed out or released)';
  if (timedOut) return 'no answer within the timeout';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : null;
  const message = error instanceof Error ? error.message : String(error);
  return detail ? `${message} (${detail})` : message;
}

export async function postWebhook(request: WebhookRequest): Promise<WebhookAttempt> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'reelqueue-webhooks', ...request.headers },
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.any([request.signal, timeout]),
    });
    // The answer's body is not used: release the connection without reading it.
    await response.body?.cancel().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 300;
    return {
      statusCode: response.status,
      error: ok ? null : `the receiver answered ${response.status}`,
      durationMs: elapsed(),
    };
  } catch (error) {
    return {
      statusCode: null,
      error: describeFailure(error, timeout.aborted, request.signal),
      durationMs: elapsed(),
    };
  }
}
