/**
 * Helpers for the HTTP tests: reading answers, waiting for jobs, the route table, row counts, and a
 * small server-sent-events client.
 */
import { expect } from 'vitest';
import type { ApiHarness, TestUser } from './api-server.js';
import { countRows } from './db-fixtures.js';
import { waitFor } from './wait.js';

export interface WireJob {
  id: string;
  status: string;
  priority: string;
  updated_at: string;
  started_at: string | null;
  attempt: number;
  retry_count: number;
  cancel_reason: string | null;
  user_id: string | null;
  [field: string]: unknown;
}

export interface ErrorAnswer {
  error: { code: string; message: string; details: Record<string, unknown> | null };
}

export const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;

/** Reads an error answer and checks its shape: `{error: {code, message, details}}`. */
export async function errorOf(response: Response): Promise<ErrorAnswer['error']> {
  const body = await json<ErrorAnswer>(response);
  expect(body.error, JSON.stringify(body)).toMatchObject({
    code: expect.any(String),
    message: expect.any(String),
  });
  return body.error;
}

export const FINAL_STATUSES = ['completed', 'failed', 'cancelled', 'timeout'];

export async function getJob(api: ApiHarness, user: TestUser, id: string): Promise<WireJob> {
  const response = await api.call(user, 'GET', `/api/presentations/jobs/${id}`);
  expect(response.status).toBe(200);
  return json<WireJob>(response);
}

/** Queues a job over HTTP and returns it (202 expected). */
export async function createJob(api: ApiHarness, user: TestUser, body: object): Promise<WireJob> {
  const response = await api.call(user, 'POST', '/api/presentations/generate', body);
  expect(response.status, await response.clone().text()).toBe(202);
  return json<WireJob>(response);
}

/** Polls the job over HTTP until it reaches `status` (or any final status when none is given). */
export function untilStatus(
  api: ApiHarness,
  user: TestUser,
  id: string,
  status?: string,
  timeoutMs = 60_000,
): Promise<WireJob> {
  return waitFor(
    async () => {
      const job = await getJob(api, user, id);
      return (status ? job.status === status : FINAL_STATUSES.includes(job.status)) ? job : null;
    },
    { timeoutMs, intervalMs: 50, what: `job ${id} to be ${status ?? 'finished'}` },
  );
}

export async function pointsOf(api: ApiHarness, user: TestUser): Promise<number> {
  const response = await api.call(user, 'GET', '/api/users/me');
  expect(response.status).toBe(200);
  return (await json<{ prompt_points: number }>(response)).prompt_points;
}

export async function rowCounts(api: ApiHarness): Promise<{ jobs: number; job_events: number }> {
  return { jobs: await countRows(api.t, 'jobs'), job_events: await countRows(api.t, 'job_events') };
}

// ---------------------------------------------------------------------------------------------
// The route table

export interface Route {
  method: string;
  url: string;
}

/** Routes that answer without a key, each with the reason it is public. */
export const PUBLIC_ROUTES: readonly { prefix: string; reason: string }[] = [
  { prefix: '/docs', reason: 'the OpenAPI document and its UI describe the API to anyone' },
  { prefix: '/healthz', reason: 'liveness probe for the process supervisor' },
  { prefix: '/readyz', reason: 'readiness probe for the load balancer' },
  { prefix: '/metrics', reason: 'Prometheus scrapes it without a key (bind to a private interface)' },
  { prefix: '/api/db/health', reason: "seed 004's clients poll database health without a key" },
];

/** Admin-only routes: listed here, plus anything under /api/admin. */
export const ADMIN_ROUTES: readonly string[] = [
  'POST /api/presentations/jobs/system/recovery',
  'GET /api/schedules',
  'HEAD /api/schedules',
  'POST /api/schedules',
  'GET /api/schedules/:name',
  'HEAD /api/schedules/:name',
  'PATCH /api/schedules/:name',
  'DELETE /api/schedules/:name',
];

export function isPublic(route: Route): boolean {
  return PUBLIC_ROUTES.some(({ prefix }) => route.url === prefix || route.url.startsWith(`${prefix}/`));
}

export function isAdmin(route: Route): boolean {
  return ADMIN_ROUTES.includes(`${route.method} ${route.url}`) || route.url.startsWith('/api/admin');
}

/** Every route of the running service, once each, in registration order. */
export function routeTable(api: ApiHarness): Route[] {
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const { method, url } of api.service.routes) {
    const key = `${method} ${url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    routes.push({ method, url });
  }
  return routes;
}

/** The path parameters of a route URL (`:id`, `:jobId`, …). */
export function pathParams(url: string): string[] {
  return [...url.matchAll(/:(\w+)/g)].map((match) => match[1] ?? '');
}

/** The URL with every path parameter set to `value`, URL-encoded. */
export function fillPath(url: string, value: string): string {
  return url.replace(/:\w+/g, encodeURIComponent(value));
}

export const hasBody = (method: string): boolean => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);

// ---------------------------------------------------------------------------------------------
// Server-sent events

export interface SseEvent {
  id: number;
  event: string;
  data: { id: number; type: string; status: string; progress: number; [field: string]: unknown };
}

/**
 * A server-sent-events client on fetch: `next()` gives the next event, or null once the server ended
 * the stream. Comments (keep-alives) are skipped.
 */
export class SseClient {
  readonly response: Response;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = '';
  #ended = false;

  private constructor(response: Response) {
    this.response = response;
    if (!response.body) throw new Error('the event stream has no body');
    this.#reader = response.body.getReader();
  }

  static async open(
    api: ApiHarness,
    user: TestUser,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<SseClient> {
    const response = await fetch(`${api.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${user.key}`, accept: 'text/event-stream', ...headers },
      signal: AbortSignal.timeout(60_000),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    return new SseClient(response);
  }

  async next(): Promise<SseEvent | null> {
    for (;;) {
      const boundary = this.#buffer.indexOf('\n\n');
      if (boundary >= 0) {
        const block = this.#buffer.slice(0, boundary);
        this.#buffer = this.#buffer.slice(boundary + 2);
        const event = parseBlock(block);
        if (event) return event;
        continue;
      }
      if (this.#ended) return null;
      const { value, done } = await this.#reader.read();
      if (done) this.#ended = true;
      else this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  /** Reads every event until the server ends the stream. */
  async rest(): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for (let event = await this.next(); event; event = await this.next()) events.push(event);
    return events;
  }

  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => undefined);
  }
}

function parseBlock(block: string): SseEvent | null {
  let id: number | null = null;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = Number(value);
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (id === null && data.length === 0) return null;
  return { id: id ?? Number.NaN, event, data: JSON.parse(data.join('\n')) as SseEvent['data'] };
}
