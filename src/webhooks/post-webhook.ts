/**
 * One HTTP attempt of a webhook: POST the body, wait for the status at most `timeoutMs` (and never
 * past the job's AbortSignal), follow no redirect, and by default connect to public addresses only
 * (see address-policy.ts). Never throws: the outcome says what happened.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { AddressRefusedError, isPublicAddress, publicOnlyLookup } from './address-policy.js';

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  /** Also deliver to private and local addresses (WEBHOOK_ALLOW_PRIVATE); default false. */
  allowPrivateAddresses?: boolean;
}

export interface WebhookAttempt {
  /** The receiver's status, or null when none came. */
  statusCode: number | null;
  /** Null when the receiver answered 2xx. */
  error: string | null;
  durationMs: number;
  /** True when the address policy refused the receiver: trying again cannot help. */
  refused: boolean;
}

function describeFailure(error: unknown, timedOut: boolean, signal: AbortSignal): string {
  if (signal.aborted) return 'the delivery was stopped (the job was cancelled, timed out or released)';
  if (timedOut) return 'no answer within the timeout';
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

/** The IP literal of a URL's host (brackets of IPv6 removed), or null for a name. */
function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? null : host;
}

export function postWebhook(request: WebhookRequest): Promise<WebhookAttempt> {
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  const url = new URL(request.url);
  const publicOnly = request.allowPrivateAddresses !== true;
  const literal = literalAddress(url);
  if (publicOnly && literal !== null && !isPublicAddress(literal)) {
    const refusal = new AddressRefusedError(url.hostname, literal);
    return Promise.resolve({ statusCode: null, error: refusal.message, durationMs: 0, refused: true });
  }
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (attempt: Omit<WebhookAttempt, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...attempt, durationMs: elapsed() });
    };
    const outgoing = send(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'reelqueue-webhooks',
          ...request.headers,
          'content-length': String(Buffer.byteLength(request.body)),
        },
        signal: AbortSignal.any([request.signal, timeout]),
        ...(publicOnly && { lookup: publicOnlyLookup }),
      },
      (response: IncomingMessage) => {
        // The answer's body is not used: drop it and the connection.
        response.destroy();
        const status = response.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        settle({ statusCode: status, error: ok ? null : `the receiver answered ${status}`, refused: false });
      },
    );
    outgoing.on('error', (error) => {
      settle({
        statusCode: null,
        error: describeFailure(error, timeout.aborted, request.signal),
        refused: error instanceof AddressRefusedError,
      });
    });
    outgoing.end(request.body);
  });
}
