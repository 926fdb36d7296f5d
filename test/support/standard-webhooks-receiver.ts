/**
 * A real webhook receiver on 127.0.0.1 that checks every delivery the way docs/webhooks.md tells
 * receivers to, written from the Standard Webhooks specification with node:crypto alone (not with
 * reelqueue's own signing code, so a mistake there cannot hide itself):
 *
 * 1. `webhook-id`, `webhook-timestamp` and `webhook-signature` are all present;
 * 2. the timestamp is within the tolerance of the receiver's clock, else it is a replay (400);
 * 3. HMAC-SHA256 of "<id>.<timestamp>.<raw body>", keyed with the bytes of `whsec_<base64>`, equals
 *    one of the `v1,` signatures, compared in constant time (else 401);
 * 4. an id already processed is acknowledged (200) and not processed again.
 *
 * Its clock can be moved forward, to replay a captured delivery "later".
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TOLERANCE_SECONDS = 300;

export interface Verdict {
  status: 200 | 400 | 401;
  outcome: 'processed' | 'duplicate' | 'missing headers' | 'stale timestamp' | 'bad signature';
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  verdict: Verdict;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The signature check of step 3, for one secret. */
export function signatureMatches(
  secret: string,
  id: string,
  timestamp: string,
  body: string,
  sent: string,
): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return sent.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export class StandardWebhooksReceiver {
  readonly received: Received[] = [];
  /** The secrets this receiver accepts (two while it switches to a rotated one). */
  secrets: string[];
  /** Added to the receiver's clock. */
  clockOffsetMs = 0;
  readonly #processed = new Set<string>();
  readonly #server: Server;

  constructor(secrets: string[]) {
    this.secrets = secrets;
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        // The raw body, exactly as received: never parsed and serialised again before the check.
        const body = Buffer.concat(chunks).toString('utf8');
        const verdict = this.#check(request.headers, body);
        this.received.push({ path: request.url ?? '/', headers: request.headers, body, verdict });
        response.writeHead(verdict.status, { 'content-type': 'text/plain' }).end(verdict.outcome);
      });
    });
  }

  #check(headers: IncomingHttpHeaders, body: string): Verdict {
    const id = header(headers, 'webhook-id');
    const timestamp = header(headers, 'webhook-timestamp');
    const signatures = header(headers, 'webhook-signature');
    if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) {
      return { status: 400, outcome: 'missing headers' };
    }
    const now = Math.floor((Date.now() + this.clockOffsetMs) / 1000);
    if (Math.abs(now - Number(timestamp)) > TOLERANCE_SECONDS)
      return { status: 400, outcome: 'stale timestamp' };
    if (!this.secrets.some((secret) => signatureMatches(secret, id, timestamp, body, signatures))) {
      return { status: 401, outcome: 'bad signature' };
    }
    if (this.#processed.has(id)) return { status: 200, outcome: 'duplicate' };
    this.#processed.add(id);
    return { status: 200, outcome: 'processed' };
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
